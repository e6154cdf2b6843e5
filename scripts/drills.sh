#!/usr/bin/env bash
# Fault drills, longer than the short ones inside `make test`: the payout
# steps (make a batch, release, export, record results) are each killed
# with SIGKILL REDRESS_DRILL_CYCLES times (default 100) on SQLite and on
# PostgreSQL; after every kill the invariants are checked.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export REDRESS_TEST_RUN="d$(date +%s)$$"
export REDRESS_TEST_PG="${REDRESS_TEST_PG:-postgres://root@127.0.0.1:5432/postgres}"
export REDRESS_DRILL_CYCLES="${REDRESS_DRILL_CYCLES:-100}"
for db in sqlite postgres; do
  printf '\n==> payout drills on %s, %s kills per step\n' "$db" "$REDRESS_DRILL_CYCLES"
  REDRESS_TEST_DB=$db cargo test -p app -p server --features app/ssr --test integration -- drills --nocapture 2>&1 |
    grep -E "^drill |test result|panicked|FAILED"
done
