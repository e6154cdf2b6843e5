#!/usr/bin/env bash
# `make bench`: release binaries and site, the bytes every page ships, then
# the scenarios of server/src/bin/bench.rs on SQLite (or on the PostgreSQL
# database in BENCH_DATABASE_URL). Prints the results and keeps them in
# bench/results/<date>-<backend>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/tools.sh release
cargo build -p server --release --bins
scripts/build-site.sh release
backend=sqlite
if [ -n "${BENCH_DATABASE_URL:-}" ]; then backend=postgres; fi
mkdir -p bench/results
out="bench/results/$(date -u +%F)-$backend.txt"
{
  echo "# make bench $(date -u +%FT%TZ) on $backend: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM"
  pkg=target/site/pkg
  wasm=$(gzip -9c "$pkg/redress.wasm" | wc -c)
  js=$(gzip -9c "$pkg/redress.js" | wc -c)
  css=$(gzip -9c "$pkg/redress.css" | wc -c)
  total=$(( (wasm + js) / 1024 ))
  verdict() { if [ "$total" -le "$1" ]; then echo met; else echo "MISSED by $(( total - $1 )) KB"; fi; }
  # Islands: every page loads the same bundle (claimant and staff alike).
  echo "WASM + JS shipped to every page (release, gzip -9): ${total} KB (wasm $((wasm / 1024)) KB, js $((js / 1024)) KB; css $((css / 1024)) KB besides); claimant target 150 KB: $(verdict 150); staff target 300 KB: $(verdict 300)"
  ./target/release/bench
} 2>&1 | tee "$out"
