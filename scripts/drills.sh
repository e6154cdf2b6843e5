#!/usr/bin/env bash
# Fault drills, longer than the short ones inside `make test`, on SQLite and
# on PostgreSQL:
# - claim intake: REDRESS_INTAKE_CLAIMANTS (200) claimants sending at once
#   while the server is killed with SIGKILL, REDRESS_INTAKE_CYCLES times
#   (default 1,000); every acknowledged claim must exist, whole;
# - the payout steps (make a batch, release, export, record results), each
#   killed REDRESS_DRILL_CYCLES times (default 100); the ledger's invariants
#   are checked after every kill;
# - a full disk (SQLite on a tmpfs) and PostgreSQL stopped and started;
# - the money's model test: REDRESS_MODEL_SEQUENCES (2,000) random sequences
#   of claims sharing debits, the invariants checked after every step.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export REDRESS_TEST_RUN="d$(date +%s)$$"
export REDRESS_TEST_PG="${REDRESS_TEST_PG:-postgres://root@127.0.0.1:5432/postgres}"
export REDRESS_DRILL_CYCLES="${REDRESS_DRILL_CYCLES:-100}"
export REDRESS_INTAKE_CYCLES="${REDRESS_INTAKE_CYCLES:-1000}"
export REDRESS_MODEL_SEQUENCES="${REDRESS_MODEL_SEQUENCES:-2000}"
for db in sqlite postgres; do
  printf '\n==> drills on %s: %s intake kills, %s kills per payout step\n' "$db" "$REDRESS_INTAKE_CYCLES" "$REDRESS_DRILL_CYCLES"
  REDRESS_TEST_DB=$db cargo test -p domain -p texts -p redress-core -p app -p web -p server --features app/ssr --test integration -- drills model:: --nocapture --test-threads 1 2>&1 |
    grep -E "drill [a-z]+:|model test:|test result|panicked|FAILED"
done
