#!/usr/bin/env bash
# Everything `make test` runs: lints, unit tests, the integration suite on
# SQLite and on PostgreSQL, then Playwright against the built server (on
# both databases). Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\n==> %s\n' "$*"; }
started=$(date +%s)

scripts/tools.sh test

export REDRESS_TEST_RUN="r$(date +%s)$$"
PG_URL="${REDRESS_TEST_PG:-postgres://root@127.0.0.1:5432/postgres}"
export REDRESS_TEST_PG="$PG_URL"
pg_ok=0
if psql "$PG_URL" -Atqc 'SELECT 1' >/dev/null 2>&1; then pg_ok=1; fi
if [ "$pg_ok" = 0 ]; then
  echo "!!!!! PostgreSQL is NOT reachable at $PG_URL: the PostgreSQL half of the tests cannot run !!!!!"
  if [ "${CI:-}" = "true" ]; then exit 1; fi
fi

drop_test_databases() {
  [ "$pg_ok" = 1 ] || return 0
  psql "$PG_URL" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'rt\\_${REDRESS_TEST_RUN}\\_%' OR datname = 'e2e_${REDRESS_TEST_RUN}'" |
    while read -r db; do psql "$PG_URL" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null; done
}

# A real SMTP server on localhost for the mail tests; its Maildir is read back.
smtp_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export REDRESS_TEST_MAILDIR="$PWD/target/test-maildir"
rm -rf "$REDRESS_TEST_MAILDIR"
mkdir -p "$(dirname "$REDRESS_TEST_MAILDIR")"
.tools/venv/bin/python scripts/smtp_sink.py "$smtp_port" "$REDRESS_TEST_MAILDIR" &
smtp_pid=$!
export REDRESS_TEST_SMTP="smtp://127.0.0.1:$smtp_port"
# Tests that stop and start their own SMTP server run the same script.
export REDRESS_TEST_SMTP_SINK="$PWD/.tools/venv/bin/python $PWD/scripts/smtp_sink.py"
# Fail here, plainly, if the SMTP server did not come up.
for _ in $(seq 1 50); do
  if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $smtp_port), 0.2)" 2>/dev/null; then break; fi
  if ! kill -0 "$smtp_pid" 2>/dev/null; then echo "the test SMTP server (scripts/smtp_sink.py) did not start" >&2; exit 1; fi
  sleep 0.1
done

cleanup() {
  kill "$smtp_pid" 2>/dev/null || true
  drop_test_databases
}
trap cleanup EXIT

say "formatting and lints (ssr and hydrate builds, -D warnings)"
cargo fmt --all --check
cargo clippy -p app -p server --features app/ssr --all-targets -- -D warnings
cargo clippy -p app -p frontend --features app/hydrate --target wasm32-unknown-unknown -- -D warnings

# One build serves every Rust test and the Playwright run (target/debug/redress).
TEST="cargo test -p app -p server --features app/ssr"
say "unit and integration tests on SQLite"
REDRESS_TEST_DB=sqlite $TEST

skipped=""
if [ "$pg_ok" = 1 ]; then
  say "integration tests on PostgreSQL"
  REDRESS_TEST_DB=postgres $TEST --test integration
else
  skipped="the integration and end-to-end tests on PostgreSQL"
fi

say "end-to-end tests (Playwright, Debian's Chromium) on SQLite"
scripts/build-site.sh debug
(cd end2end && npx playwright test)

if [ "$pg_ok" = 1 ]; then
  say "end-to-end tests on PostgreSQL"
  psql "$PG_URL" -qc "CREATE DATABASE e2e_${REDRESS_TEST_RUN}" >/dev/null
  (cd end2end && E2E_DATABASE_URL="${PG_URL%/*}/e2e_${REDRESS_TEST_RUN}" E2E_DATA_DIR="$PWD/../target/e2e-data-pg" npx playwright test)
fi

say "all tests passed in $(( $(date +%s) - started )) s"
if [ -n "$skipped" ]; then echo "!!!!! skipped: $skipped (PostgreSQL unreachable) !!!!!"; fi
