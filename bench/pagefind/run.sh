#!/usr/bin/env bash
# Pagefind on the same registry as trede's own search index: generates a
# registry, builds it with trede, indexes its organisations with Pagefind's
# Rust API (pagefind-bench, this folder) under /usr/bin/time -v, then
# measures Pagefind's first query in headless Chromium (first-query.mjs).
# See bench/README.md, "Pagefind on the same registry".
#
# Usage: bash bench/pagefind/run.sh [COUNT ...]     (default: 10000 100000)
#   SUMMARIES=1 also indexes each record's summary (trede's index does not).
#   NO_BROWSER=1 skips the browser measurement.
#   BIN=DIR takes trede and gen-registry from DIR (DIR/trede and
#   DIR/examples/gen-registry, e.g. another checkout's target/release)
#   instead of building them here.
# Writes logs to bench/out/pagefind/; data goes to /dev/shm (removed at the end).
set -euo pipefail
cd "$(dirname "$0")/../.."
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(10000 100000)
logs="bench/out/pagefind"
data="${TMPDIR_FAST:-/dev/shm}/trede-pagefind"
[ -d "${TMPDIR_FAST:-/dev/shm}" ] || data="$logs/data"
mkdir -p "$logs"
trap 'rm -rf "$data"' EXIT

[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install -y time" >&2; exit 1; }
bin="${BIN:-./target/release}"
[ -n "${BIN:-}" ] || cargo build --release --quiet --bin trede --example gen-registry
# A separate cargo project (its own [workspace]): never part of trede's build.
cargo build --release --quiet --manifest-path bench/pagefind/Cargo.toml
bench_bin="bench/pagefind/target/release/pagefind-bench"
if [ -z "${NO_BROWSER:-}" ]; then
  command -v chromium >/dev/null || { echo "needs Debian's chromium: apt-get install -y chromium" >&2; exit 1; }
  if [ ! -d "bench/out/node/node_modules/playwright-core" ]; then
    npm install --silent --prefix bench/out/node playwright-core@1 >/dev/null
  fi
  # ES modules resolve packages beside the script: run a copy from there.
  cp bench/pagefind/first-query.mjs bench/out/node/pagefind-first-query.mjs
fi

for count in "${counts[@]}"; do
  reg="$data/reg-$count" site="$data/site-$count" bundle="$data/pagefind-$count"
  rm -rf "$reg" "$site" "$bundle"
  "$bin/examples/gen-registry" --count "$count" --out "$reg" >/dev/null
  "$bin/trede" build --root "$reg" --output "$site" --date 2026-11-30 --quiet
  echo "== $count organisations: trede's index $(find "$site/search" -type f | wc -l) files, $(du -sb "$site/search" | cut -f1) bytes"
  extra=()
  [ -z "${SUMMARIES:-}" ] || extra=(--records "$reg/content/organisations")
  /usr/bin/time -v -o "$logs/time-$count.txt" \
    "$bench_bin" --site "$site" --out "$bundle" "${extra[@]}" | tee "$logs/pagefind-$count.txt"
  grep -E "Maximum resident|Elapsed|User time|System time" "$logs/time-$count.txt"
  rm -rf "$reg"
  if [ -z "${NO_BROWSER:-}" ]; then
    node bench/out/node/pagefind-first-query.mjs "$bundle" | tee "$logs/first-query-$count.json"
  fi
  rm -rf "$site" "$bundle"
done
