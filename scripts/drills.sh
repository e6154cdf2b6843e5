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
#   of claims sharing debits, the invariants checked after every step;
# - the fleet (PostgreSQL): three processes behind nginx on one S3-compatible
#   store, REDRESS_FLEET_CLAIMANTS (8) claimants at once for
#   REDRESS_FLEET_SECONDS (60) a phase, one process restarted (SIGTERM) and
#   one killed (SIGKILL) mid-import.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/tools.sh test >/dev/null
# The S3-compatible server (moto) the fleet's processes share.
s3_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p target
.tools/venv/bin/moto_server -H 127.0.0.1 -p "$s3_port" >target/s3-server-drills.log 2>&1 &
s3_pid=$!
trap 'kill $s3_pid 2>/dev/null || true' EXIT
export AWS_ENDPOINT_URL="http://127.0.0.1:$s3_port" AWS_ALLOW_HTTP=true AWS_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=redress-drill AWS_SECRET_ACCESS_KEY=redress-drill REDRESS_TEST_S3_BUCKET=redress-drill
for _ in $(seq 1 100); do
  python3 -c "import urllib.request as u; u.urlopen(u.Request('$AWS_ENDPOINT_URL/redress-drill', method='PUT'), timeout=1)" 2>/dev/null && break
  sleep 0.1
done
export REDRESS_TEST_RUN="d$(date +%s)$$"
export REDRESS_TEST_PG="${REDRESS_TEST_PG:-postgres://root@127.0.0.1:5432/postgres}"
export REDRESS_DRILL_CYCLES="${REDRESS_DRILL_CYCLES:-100}"
export REDRESS_INTAKE_CYCLES="${REDRESS_INTAKE_CYCLES:-1000}"
export REDRESS_INTAKE_CLAIMANTS="${REDRESS_INTAKE_CLAIMANTS:-200}"
export REDRESS_MODEL_SEQUENCES="${REDRESS_MODEL_SEQUENCES:-2000}"
export REDRESS_FLEET_SECONDS="${REDRESS_FLEET_SECONDS:-60}"
export REDRESS_FLEET_CLAIMANTS="${REDRESS_FLEET_CLAIMANTS:-8}"
for db in sqlite postgres; do
  printf '\n==> drills on %s: %s intake kills, %s kills per payout step\n' "$db" "$REDRESS_INTAKE_CYCLES" "$REDRESS_DRILL_CYCLES"
  REDRESS_TEST_DB=$db cargo test -p domain -p texts -p redress-core -p app -p web -p server --features app/ssr --test integration -- drills model:: fleet:: --nocapture --test-threads 1 2>&1 |
    grep -E "drill [a-z]+:|model test:|test result|panicked|FAILED"
done
