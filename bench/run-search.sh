#!/usr/bin/env bash
# Search benchmark: builds a generated registry (default 100,000
# organisations), then measures in headless Chromium what the first query
# transfers (gzip) and how long queries take. See bench/README.md.
#
# Usage: bash bench/run-search.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-100000}"
out="bench/out"
work="$out/search-$count"
site="$work/site"
public="${TMPDIR_FAST:-/dev/shm}/trede-search-$count"
[ -d "${TMPDIR_FAST:-/dev/shm}" ] || public="$work/public"
mkdir -p "$work"

command -v chromium >/dev/null || { echo "needs Debian's chromium: apt-get install -y chromium" >&2; exit 1; }
if [ ! -d "$out/node/node_modules/playwright-core" ]; then
  npm install --silent --prefix "$out/node" playwright-core@1 >/dev/null
fi

cargo build --release --quiet --bin trede --example gen-registry
if [ ! -f "$site/site.toml" ]; then
  ./target/release/examples/gen-registry --count "$count" --out "$site"
fi
rm -rf "$public"
# The build's stage times (--verbose); the search index is part of "rendering".
./target/release/trede build --root "$site" --date 2026-11-30 --output "$public" --verbose 2>&1 | grep -v "…"
echo "index: $(find "$public/search" -type f | wc -l) files, $(du -sb "$public/search" | cut -f1) bytes"
# ES modules resolve packages beside the script: run a copy from there.
cp bench/search-latency.mjs "$out/node/"
node "$out/node/search-latency.mjs" "$public" /register/
