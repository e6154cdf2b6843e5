#!/usr/bin/env bash
# Installs the tools a build or the tests need, each only when missing or at
# the wrong version. Only crates.io, npm and Debian are reachable here.
# Usage: scripts/tools.sh build|release|test|bench|dev
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

# The wasm-bindgen CLI must equal the wasm-bindgen crate in Cargo.lock.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

need_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

need_wasm_bindgen() {
  local want have
  want=$(wasm_bindgen_version)
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have" != "$want" ]; then
    say "installing wasm-bindgen-cli $want (found: ${have:-none}); about 3 minutes"
    # No --locked: one locked dependency of the CLI is missing from the registry.
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

# wasm-opt for release builds: npm's binaryen 132 (Debian's 108 breaks hydration).
need_wasm_opt() {
  if ! [ -x .tools/node_modules/.bin/wasm-opt ] || ! .tools/node_modules/.bin/wasm-opt --version | grep -q "version 132"; then
    say "installing wasm-opt (npm binaryen@132.0.0) into .tools/"
    mkdir -p .tools
    npm install --prefix .tools --no-audit --no-fund --silent binaryen@132.0.0
  fi
}

# JS minifier (npm's terser) for the release build's wasm-bindgen glue.
need_terser() {
  if ! [ "$(.tools/node_modules/.bin/terser --version 2>/dev/null)" = "terser 5.39.0" ]; then
    say "installing terser 5.39.0 (npm) into .tools/"
    mkdir -p .tools
    npm install --prefix .tools --no-audit --no-fund --silent terser@5.39.0
  fi
}

# The release build of the browser's code builds the standard library for
# size with the machine's nightly Rust (scripts/build-site.sh): its source
# and the wasm target, added by rustup. Where they cannot be had, the site
# is built with stable Rust instead (larger; build-site.sh says which).
need_small_std() {
  if ! rustup run nightly rustc -V >/dev/null 2>&1; then
    say "no nightly Rust here: the release site is built with stable Rust (larger)"
    return 0
  fi
  if ! rustup component list --installed --toolchain nightly | grep -q '^rust-src'; then
    say "adding the standard library's source to nightly Rust"
    rustup component add rust-src --toolchain nightly || say "could not: the release site is built with stable Rust"
  fi
  if ! rustup target list --installed --toolchain nightly | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target to nightly Rust"
    rustup target add wasm32-unknown-unknown --toolchain nightly || say "could not: the release site is built with stable Rust"
  fi
}

apt_install() {
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  fi
}

# brotli for the site's precompressed copies (Debian's).
need_brotli() {
  if ! command -v brotli >/dev/null 2>&1; then
    say "installing brotli (Debian's)"
    apt_install brotli
  fi
}

need_chromium() {
  if ! command -v chromium >/dev/null 2>&1; then
    say "installing Debian's chromium"
    apt_install chromium
  fi
  # A Japanese font, as a Japanese reader's browser has: without one the
  # pages are drawn in boxes (screenshots unreadable, text widths wrong).
  if [ -z "$(fc-list :family=IPAGothic 2>/dev/null)" ]; then
    say "installing a Japanese font (Debian's fonts-ipafont-gothic)"
    apt_install fonts-ipafont-gothic
  fi
}

need_playwright() {
  if ! [ -d end2end/node_modules/@playwright/test ] || ! [ -d end2end/node_modules/@axe-core/playwright ]; then
    say "installing Playwright and axe-core from npm (no browser download)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
  fi
}

need_psql() {
  if ! command -v psql >/dev/null 2>&1; then
    say "installing the PostgreSQL client"
    apt_install postgresql-client
  fi
}

# A real SMTP server for the mail tests (aiosmtpd) and a real S3 API server
# for the evidence store (moto's server), from PyPI, in a venv of their own.
need_smtp_server() {
  if ! [ -x .tools/venv/bin/python ] || ! .tools/venv/bin/python -c 'import aiosmtpd' 2>/dev/null; then
    say "installing aiosmtpd (PyPI) into .tools/venv"
    python3 -m venv .tools/venv
    .tools/venv/bin/pip install --quiet aiosmtpd==1.4.6
  fi
}
need_s3_server() {
  need_smtp_server
  if ! [ -x .tools/venv/bin/moto_server ] || ! .tools/venv/bin/python -c 'import moto, flask' 2>/dev/null; then
    say "installing moto[server] (PyPI, an S3-compatible server) into .tools/venv"
    .tools/venv/bin/pip install --quiet 'moto[server]==5.2.6'
  fi
}

# schemathesis (PyPI): generates /api/v1 requests from the OpenAPI document (schema_fuzz::).
need_schemathesis() {
  need_smtp_server
  if ! [ "$(.tools/venv/bin/st --version 2>/dev/null | awk '{print $NF}')" = "4.32.5" ]; then
    say "installing schemathesis 4.32.5 (PyPI) into .tools/venv"
    .tools/venv/bin/pip install --quiet 'schemathesis==4.32.5'
  fi
}

# nginx (Debian's) for the multi-process drill: the shipped deploy/nginx.conf in front of three processes.
need_nginx() {
  if ! command -v nginx >/dev/null 2>&1 && ! [ -x /usr/sbin/nginx ]; then
    say "installing nginx (Debian's)"
    apt_install nginx-light || apt_install nginx
  fi
}

# PgBouncer (Debian's) in transaction mode, for REDRESS_DB_STATEMENT_CACHE=off's test.
need_pgbouncer() {
  if ! command -v pgbouncer >/dev/null 2>&1 && ! [ -x /usr/sbin/pgbouncer ]; then
    say "installing pgbouncer (Debian's)"
    apt_install pgbouncer
  fi
}

need_cargo_leptos() {
  if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "0.3.10" ]; then
    say "installing cargo-leptos 0.3.10 (0.3.11 needs a newer Rust); about 18 minutes, once"
    cargo install cargo-leptos --version 0.3.10 --locked
  fi
}

# The bench's load generator (crates.io) and pgbench (Debian's postgresql-contrib
# on older releases, the server package's bin otherwise).
need_load_tools() {
  if [ "$(oha --version 2>/dev/null | awk '{print $2}')" != "1.16.0" ]; then
    say "installing oha 1.16.0 (load generator); about 6 minutes, once"
    cargo install oha --version 1.16.0 --locked
  fi
  if ! command -v pgbench >/dev/null 2>&1; then
    say "installing pgbench"
    apt_install postgresql-contrib || apt_install postgresql
  fi
  # The slow-disk shim (bench/shim/slow_fsync.c) is built with Debian's C compiler.
  if ! command -v cc >/dev/null 2>&1; then
    say "installing a C compiler (gcc)"
    apt_install gcc
  fi
}

case "${1:-build}" in
  build) need_wasm_target; need_wasm_bindgen; need_brotli ;;
  release) need_wasm_target; need_wasm_bindgen; need_brotli; need_wasm_opt; need_terser; need_small_std ;;
  test) need_wasm_target; need_wasm_bindgen; need_brotli; need_chromium; need_playwright; need_psql; need_smtp_server; need_s3_server; need_nginx; need_pgbouncer; need_schemathesis ;;
  bench) need_wasm_target; need_wasm_bindgen; need_brotli; need_wasm_opt; need_terser; need_small_std; need_load_tools ;;
  dev) need_wasm_target; need_wasm_bindgen; need_brotli; need_cargo_leptos ;;
  *) echo "usage: $0 build|release|test|bench|dev" >&2; exit 2 ;;
esac
