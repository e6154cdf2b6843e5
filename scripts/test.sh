#!/usr/bin/env bash
# Everything `make test` runs: lints, unit tests, the integration suite on
# SQLite and on PostgreSQL (at once), then Playwright against the built
# server on both databases (at once). Exits non-zero on the first failure and
# prints the time of each phase at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\n==> %s\n' "$*"; }
started=$(date +%s)
phases=()
phase_start=$started
# Ends the phase running since the last call, naming it.
lap() {
  local now
  now=$(date +%s)
  phases+=("$(printf '%-58s %5d s' "$1" $((now - phase_start)))")
  phase_start=$now
}
print_phases() {
  say "time of each phase"
  printf '  %s\n' "${phases[@]}"
  printf '  %-58s %5d s\n' "total" $(($(date +%s) - started))
}

scripts/tools.sh test
lap "installs (tools, Chromium, npm and PyPI packages)"

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
  # The SQLite template each test process copies its databases from.
  rm -f "${TMPDIR:-/tmp}"/redress-template_"${REDRESS_TEST_RUN}"_*.db
  [ "$pg_ok" = 1 ] || return 0
  psql "$PG_URL" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'rt\\_${REDRESS_TEST_RUN}\\_%' OR datname = 'e2e_${REDRESS_TEST_RUN}'" |
    while read -r db; do psql "$PG_URL" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null; done
}

# A real SMTP server on localhost per suite (the suites run at once; each
# reads its own Maildir back).
sinks=()
start_sink() { # name -> sets SINK_URL and SINK_DIR
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  SINK_DIR="$PWD/target/test-maildir-$1"
  rm -rf "$SINK_DIR"
  mkdir -p "$(dirname "$SINK_DIR")"
  .tools/venv/bin/python scripts/smtp_sink.py "$port" "$SINK_DIR" &
  local pid=$!
  sinks+=("$pid")
  SINK_URL="smtp://127.0.0.1:$port"
  # Fail here, plainly, if the SMTP server did not come up.
  for _ in $(seq 1 50); do
    if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "the test SMTP server (scripts/smtp_sink.py) did not start" >&2; exit 1; fi
    sleep 0.1
  done
}
# Tests that stop and start their own SMTP server run the same script.
export REDRESS_TEST_SMTP_SINK="$PWD/.tools/venv/bin/python $PWD/scripts/smtp_sink.py"

# A real S3 API server (moto, PyPI) for the evidence store of the PostgreSQL
# runs: every PostgreSQL test keeps its files in a prefix of one bucket, as
# a deployment of several processes does.
start_s3() {
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p target
  .tools/venv/bin/moto_server -H 127.0.0.1 -p "$port" >target/s3-server.log 2>&1 &
  sinks+=("$!")
  export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ALLOW_HTTP=true AWS_REGION=us-east-1 \
    AWS_ACCESS_KEY_ID=redress-test AWS_SECRET_ACCESS_KEY=redress-test
  export REDRESS_TEST_S3_BUCKET=redress-test
  # Up, and the bucket made (a plain PUT: the S3 API's CreateBucket).
  for _ in $(seq 1 100); do
    if python3 -c "import urllib.request as u; u.urlopen(u.Request('$AWS_ENDPOINT_URL/$REDRESS_TEST_S3_BUCKET', method='PUT'), timeout=1)" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "the S3 server (moto_server) did not start: target/s3-server.log" >&2
  cat target/s3-server.log >&2
  exit 1
}

cleanup() {
  for pid in "${sinks[@]}"; do kill "$pid" 2>/dev/null || true; done
  drop_test_databases
}
trap cleanup EXIT

say "formatting and lints (ssr and hydrate builds, -D warnings)"
cargo fmt --all --check
mkdir -p target
# The two builds at once, the browser's in a folder of its own (cargo locks
# a target folder): each ends in a few large crates checked one at a time,
# and the other fills the second core meanwhile.
CARGO_TARGET_DIR=target/clippy-wasm \
  cargo clippy -p domain -p texts -p app -p frontend --features app/hydrate --target wasm32-unknown-unknown -- -D warnings \
  >target/clippy-hydrate.log 2>&1 &
hydrate=$!
ssr=0
cargo clippy -p domain -p texts -p redress-core -p app -p web -p server --features app/ssr --all-targets -- -D warnings || ssr=$?
hydrate_rc=0
wait "$hydrate" || hydrate_rc=$?
if [ "$hydrate_rc" != 0 ]; then cat target/clippy-hydrate.log; fi
[ "$ssr" = 0 ] && [ "$hydrate_rc" = 0 ]
lap "formatting and clippy (ssr and hydrate, at once)"

# One build serves every Rust test and the Playwright run (target/debug/redress).
TEST="cargo test -p domain -p texts -p redress-core -p app -p web -p server --features app/ssr"
say "building the tests"
integration=$($TEST --no-run --message-format=json |
  python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "integration" and m.get("executable"):
        print(m["executable"])')
[ -x "$integration" ] || { echo "the integration test binary was not built" >&2; exit 1; }
lap "building the tests and the server (debug)"

# The previous release's server, for the test that runs it against this
# release's schema (rolling::): only its own crates are compiled.
say "building the previous release's server (deploy/previous-release)"
REDRESS_PREVIOUS_BIN=$(scripts/previous-release.sh)
export REDRESS_PREVIOUS_BIN
lap "building the previous release's server (debug)"

say "unit tests"
REDRESS_TEST_DB=sqlite $TEST --lib --bins
lap "unit tests"

# The integration suite on each database, at once: most of a test's time is
# spent waiting (mail, background jobs, the other database), so both suites
# and several tests each share the two cores well. Each has its own SMTP
# server and Maildir; databases and data folders are per test already.
THREADS="${REDRESS_TEST_THREADS:-4}"
# The longest tests (the random model of shared debits, the kill drills)
# run in a process of their own started with the rest: in one run, in name
# order, they would start half way and be the run's tail.
LONG=(model:: drills:: fleet::)
declare -A sink_urls sink_dirs
run_suite() { # db log
  (cd server && export REDRESS_TEST_DB="$1" REDRESS_TEST_SMTP="${sink_urls[$1]}" REDRESS_TEST_MAILDIR="${sink_dirs[$1]}" &&
    { "$integration" --test-threads=3 "${LONG[@]}" >"$2.long" 2>&1 & long=$!; } &&
    rest=0 && { "$integration" --test-threads="$THREADS" $(printf -- '--skip %s ' "${LONG[@]}") >"$2" 2>&1 || rest=$?; } &&
    longrc=0 && { wait "$long" || longrc=$?; } &&
    cat "$2.long" >>"$2" && rm -f "$2.long" && [ "$rest" = 0 ] && [ "$longrc" = 0 ])
}
suites=(sqlite)
skipped=""
# Runs `runner db log` for every database at once; prints each log's lines
# matching `summary`, and the whole log of a run that failed (then exits).
at_once() { # runner kind summary
  local runner=$1 kind=$2 summary=$3 pids=() failed="" i db
  for db in "${suites[@]}"; do
    "$runner" "$db" "$PWD/target/$kind-$db.log" &
    pids+=($!)
  done
  for i in "${!suites[@]}"; do
    if ! wait "${pids[$i]}"; then failed="$failed ${suites[$i]}"; fi
  done
  for db in "${suites[@]}"; do
    echo "--- $kind on $db:"
    grep -E "$summary" "target/$kind-$db.log" || true
  done
  if [ -n "$failed" ]; then
    for db in $failed; do
      echo; echo "===== $kind on $db failed: its log ====="
      cat "target/$kind-$db.log"
    done
    exit 1
  fi
}
if [ "$pg_ok" = 1 ]; then suites+=(postgres); else skipped="the integration and end-to-end tests on PostgreSQL"; fi
if [ "$pg_ok" = 1 ]; then start_s3; fi
# The SMTP servers start here, in this shell, so that cleanup stops them.
for db in "${suites[@]}"; do
  start_sink "$db"
  sink_urls[$db]=$SINK_URL
  sink_dirs[$db]=$SINK_DIR
done
# The browser site is built meanwhile, at the lowest priority: the suites
# wait on mail, background jobs and killed servers (a third of the two
# cores idle, measured), and the site build takes that third. The tests
# do not read the site (a page names plain asset names without it).
say "the browser site (wasm), built while the integration tests run"
nice -n 19 scripts/build-site.sh debug >target/build-site.log 2>&1 &
site=$!
sinks+=("$site")
say "integration tests on ${suites[*]} (at once, $THREADS threads each)"
at_once run_suite integration '^test result|FAILED|panicked'
lap "integration tests, SQLite and PostgreSQL at once"
site_rc=0
wait "$site" || site_rc=$?
cat target/build-site.log
[ "$site_rc" = 0 ] || { echo "building the browser site failed" >&2; exit 1; }
lap "building the browser site (wasm): what was left of it"

# Playwright on each database, at once: separate servers, ports, data
# folders and result folders.
say "end-to-end tests (Playwright, Debian's Chromium) on ${suites[*]} (at once)"
if [ "$pg_ok" = 1 ]; then
  psql "$PG_URL" -qc "CREATE DATABASE e2e_${REDRESS_TEST_RUN}" >/dev/null
fi
run_e2e() { # db log
  if [ "$1" = postgres ]; then
    # axe scans the pages in the SQLite run (the markup is the same on both).
    (cd end2end && E2E_AXE=off E2E_PORT=3101 E2E_DATABASE_URL="${PG_URL%/*}/e2e_${REDRESS_TEST_RUN}" \
      E2E_FILES_URL="s3://$REDRESS_TEST_S3_BUCKET/e2e-${REDRESS_TEST_RUN}" \
      E2E_DATA_DIR="$PWD/../target/e2e-data-pg" E2E_OUTPUT_DIR="$PWD/test-results-pg" npx playwright test >"$2" 2>&1)
  else
    (cd end2end && E2E_PORT=3100 npx playwright test >"$2" 2>&1)
  fi
}
at_once run_e2e e2e ' passed| failed| flaky|✘'
lap "end-to-end tests, SQLite and PostgreSQL at once"

say "all tests passed in $(( $(date +%s) - started )) s"
print_phases
if [ -n "$skipped" ]; then echo "!!!!! skipped: $skipped (PostgreSQL unreachable) !!!!!"; fi
