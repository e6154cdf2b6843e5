# Redress: the two commands are `make run` and `make test`.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

REDRESS_LISTEN ?= 127.0.0.1:3000
REDRESS_DATA_DIR ?= ./data
export REDRESS_LISTEN REDRESS_DATA_DIR

.PHONY: run test build release dev lint clean-data bench drills

## Build (release) and serve on SQLite with the demo data.
run: release
	@./target/release/redress seed-demo
	@echo
	@echo "Redress: http://$(REDRESS_LISTEN)  (demo logins above, password redress-demo-2020)"
	@echo "Staff logins ask for a code: ./target/release/redress demo-code EMAIL prints it."
	@exec ./target/release/redress serve

## Install what the tests need and run every test.
test:
	@scripts/test.sh

release:
	@scripts/tools.sh release
	cargo build -p server --release
	@scripts/build-site.sh release

build:
	@scripts/tools.sh build
	cargo build -p server
	@scripts/build-site.sh debug

## For developers: cargo-leptos with live rebuilds (installs cargo-leptos once).
dev:
	@scripts/tools.sh dev
	@./target/debug/redress seed-demo 2>/dev/null || (cargo build -p server && ./target/debug/redress seed-demo)
	cargo leptos watch

lint:
	cargo fmt --all --check
	cargo clippy -p domain -p texts -p redress-core -p app -p web -p server --features app/ssr --all-targets -- -D warnings
	cargo clippy -p domain -p texts -p app -p frontend --features app/hydrate --target wasm32-unknown-unknown -- -D warnings

## Remove the local SQLite database, mails and uploads (the demo data comes back on the next run).
clean-data:
	rm -rf $(REDRESS_DATA_DIR)/redress.db* $(REDRESS_DATA_DIR)/mail

## Speed targets, measured in a release build (see server/src/bin/bench.rs).
bench:
	@scripts/bench.sh

## Fault drills on both databases: intake killed 1,000 times (REDRESS_INTAKE_CYCLES), each payout step 100 times (REDRESS_DRILL_CYCLES), a full disk, PostgreSQL stopped.
drills:
	@scripts/drills.sh
