#!/usr/bin/env bash
# `make bench`: release binaries and site, the bytes every page ships, then
# the scenarios of server/src/bin/bench/ on SQLite and on a fresh
# PostgreSQL database (BENCH_BACKENDS="sqlite postgres" by default;
# BENCH_PG is the server, postgres://root@127.0.0.1:5432 by default).
# Each backend's table is printed and kept in
# bench/results/<date>-<backend>.{json,md,txt}.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/tools.sh bench
cargo build -p server --release --bins
scripts/build-site.sh release
mkdir -p bench/results
pkg=target/site/pkg
# What is transferred: the precompressed copies build-site.sh made (the
# server sends brotli to a browser that takes it, as every current one does).
# A claimant's page loads the claimant's build of the islands; a staff page
# with a staff island the whole build; a page without an island nothing.
hash=$(cat target/site/site.hash)
size() { wc -c < "$pkg/$1.$hash.$2"; }
kb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }
export BENCH_CLAIMANT_KB=$(kb $(( $(size redress-claimant wasm.br) + $(size redress-claimant js.br) )))
export BENCH_STAFF_KB=$(kb $(( $(size redress wasm.br) + $(size redress js.br) )))
export BENCH_SITE_TOOLCHAIN="built with $(cat target/site/built-with)"
echo "WASM + JS, brotli as transferred: a claimant page ${BENCH_CLAIMANT_KB} KB (wasm $(kb $(size redress-claimant wasm.br)), js $(kb $(size redress-claimant js.br))); a staff page with a staff island ${BENCH_STAFF_KB} KB; css $(kb $(size redress css.br)) KB besides; ${BENCH_SITE_TOOLCHAIN}"
pg="${BENCH_PG:-postgres://root@127.0.0.1:5432}"
for backend in ${BENCH_BACKENDS:-sqlite postgres}; do
  out="bench/results/$(date -u +%F)-$backend.txt"
  echo "# make bench $(date -u +%FT%TZ) on $backend: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM" | tee "$out"
  if [ "$backend" = postgres ]; then
    db="redress_bench_$(date -u +%Y%m%d%H%M%S)"
    psql -q "$pg/postgres" -c "CREATE DATABASE $db"
    BENCH_DATABASE_URL="$pg/$db" ./target/release/bench 2>&1 | tee -a "$out"
    psql -q "$pg/postgres" -c "DROP DATABASE $db" || true
  else
    ./target/release/bench 2>&1 | tee -a "$out"
    # The submissions again on a slow disk (a network volume's 2 ms fsync):
    # a shim delays every fsync and fdatasync of the bench process.
    if [ -z "${BENCH_ONLY:-}" ] || [ "${BENCH_ONLY:-}" = intake ]; then
      cc -O2 -shared -fPIC -o target/slow_fsync.so bench/shim/slow_fsync.c -ldl
      slow="bench/results/$(date -u +%F)-sqlite-intake-slowdisk.txt"
      echo "# the submissions on a slow disk: every fsync delayed ${BENCH_FSYNC_DELAY_US:-2000} µs" | tee "$slow"
      BENCH_ONLY=intake LD_PRELOAD="$PWD/target/slow_fsync.so" ./target/release/bench 2>&1 | tee -a "$slow"
    fi
  fi
done
