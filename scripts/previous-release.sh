#!/usr/bin/env bash
# Builds the previous release's server, the commit named in
# deploy/previous-release, into target/previous/redress: a test runs it
# against this release's schema (migrations only expand, CONTRIBUTING.md).
# It shares target/ with this build, so only its own crates are compiled:
# its package version and binary name are changed in its copy, so that its
# crates and binary sit beside this build's instead of over them (cargo
# tells packages apart by name, version and path inside their workspace).
# Prints the binary's path.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
rev=$(tr -d ' \n' <deploy/previous-release)
out="$PWD/target/previous"
if [ -x "$out/redress" ] && [ "$(cat "$out/rev" 2>/dev/null)" = "$rev" ]; then
  echo "$out/redress"
  exit 0
fi
if ! git cat-file -e "$rev^{commit}" 2>/dev/null; then
  echo "the previous release $rev (deploy/previous-release) is not in this clone's history" >&2
  exit 1
fi
src="$out/src"
rm -rf "$out"
mkdir -p "$src"
git archive "$rev" | tar -x -C "$src"
sed -i 's/^version = "\([0-9.]*\)"$/version = "\1-previous"/' "$src/Cargo.toml"
sed -i '/^\[\[bin\]\]$/,/^path/ s/^name = "redress"$/name = "redress-previous"/' "$src/server/Cargo.toml"
grep -q -- '-previous"' "$src/Cargo.toml" && grep -q '"redress-previous"' "$src/server/Cargo.toml" || {
  echo "cannot rename the previous release's version or binary in its Cargo.toml files" >&2
  exit 1
}
# Its tests are not run: an empty test in each package stands in for them.
# They are built as this build's tests are (`cargo test --no-run`, the same
# packages, a test target in each), so that cargo unifies the dependencies'
# features the same way and reuses this build's compiled dependencies (a
# plain `cargo build`, or tests of one package only, leaves some packages'
# dev-dependencies out, and one feature different in a low crate changes
# every crate above it: everything is compiled again). An integration test
# has its package's binaries built beside it.
empty="//! The previous release's tests are not run here: only its server is built."
echo "$empty" >"$src/server/tests/integration/main.rs"
for pkg in crates/domain crates/texts crates/core crates/web app; do
  mkdir -p "$src/$pkg/tests"
  echo "$empty" >"$src/$pkg/tests/integration.rs"
done
# Its own cargo configuration goes: cargo would add it to this checkout's
# (a parent folder), doubling the rustflags, and every crate would be
# compiled again. This checkout's applies, as it does to this build.
rm -f "$src/.cargo/config.toml"
# Its own sources are new files: cargo compares them with this build's by time.
find "$src" -type f -exec touch {} +
(cd "$src" && cargo test --no-run -p domain -p texts -p redress-core -p app -p web -p server \
  --features app/ssr --test integration --target-dir "$PWD/../..") >&2
cp "$PWD/target/debug/redress-previous" "$out/redress"
echo "$rev" >"$out/rev"
echo "$out/redress"
