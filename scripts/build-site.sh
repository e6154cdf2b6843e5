#!/usr/bin/env bash
# Builds what the browser loads into target/site (what cargo-leptos does, with
# plain cargo and wasm-bindgen, so a first build need not wait for cargo-leptos):
# the islands' WebAssembly and its JavaScript glue, the stylesheet, public files.
# Usage: scripts/build-site.sh debug|release
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
mode=${1:-debug}
site=target/site
pkg=$site/pkg
mkdir -p "$pkg"

# Two builds of the islands: the claimant's (`redress-claimant`: the islands
# of the claimant's pages only) and the whole one (`redress`: the staff
# pages' islands too). The island loader picks one by the islands a page
# holds (app/src/island_loader.js).
#
# Release: with the machine's nightly Rust, when it has the standard
# library's source and the wasm target (`scripts/tools.sh release` adds
# them), std is built for size: a panic aborts at once with no message
# (the panic hook and the formatting it needs are left out), panics carry
# no source locations, and `{:?}` prints nothing (no code in the browser
# build uses it). Otherwise stable Rust builds it as the debug build does,
# larger (BENCHMARKS.md, issue 25, fifth part).
small_std() {
  rustup run nightly rustc -V >/dev/null 2>&1 &&
    rustup component list --installed --toolchain nightly 2>/dev/null | grep -q '^rust-src' &&
    rustup target list --installed --toolchain nightly 2>/dev/null | grep -qx wasm32-unknown-unknown
}
build_frontend() { # <out name> <cargo args...>
  local out=$1 dir
  shift
  if [ "$mode" = release ] && small_std; then
    dir=target/nightly-wasm/wasm32-unknown-unknown/wasm-release
    CARGO_TARGET_DIR=target/nightly-wasm \
      RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none" \
      cargo +nightly build -Zbuild-std=std,panic_abort -p frontend --lib --target wasm32-unknown-unknown \
      --profile wasm-release --no-default-features "$@"
    toolchain="nightly, std built for size"
  elif [ "$mode" = release ]; then
    dir=target/wasm32-unknown-unknown/wasm-release
    cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release "$@"
    toolchain="stable"
  else
    dir=target/wasm32-unknown-unknown/debug
    cargo build -p frontend --lib --target wasm32-unknown-unknown "$@"
    toolchain="stable"
  fi
  # The two builds write the same file: each is kept under its own name.
  cp -p "$dir/frontend.wasm" "$dir/$out.wasm"
  wasm_built="$dir/$out.wasm"
}
build_frontend redress-claimant
claimant=$wasm_built
build_frontend redress --features staff
wasm=$wasm_built

# What a phone downloads once: copies named by their content (the server
# names them in every page and lets browsers keep them a year), each also
# compressed with brotli and gzip (served by the request's Accept-Encoding).
# One hash for the JS, the WebAssembly and the stylesheet, in site.hash.
name_by_content() {
  local hash f name
  rm -f "$pkg"/redress.????????????????.* "$pkg"/redress-claimant.????????????????.* "$site/site.hash"
  hash=$(cat "$pkg"/redress.js "$pkg"/redress.wasm "$pkg"/redress-claimant.js "$pkg"/redress-claimant.wasm \
    "$pkg"/redress.css | sha256sum | cut -c1-16)
  for f in redress.js redress.wasm redress.css redress-claimant.js redress-claimant.wasm; do
    name="${f%%.*}.$hash.${f#*.}"
    cp "$pkg/$f" "$pkg/$name"
    gzip -9 -k -n "$pkg/$name"
    # Brotli's best for what is shipped; a quicker level for test builds.
    if [ "$mode" = release ]; then brotli -q 11 -k "$pkg/$name"; else brotli -q 5 -k "$pkg/$name"; fi
  done
  # Whole or not there: a server starting meanwhile reads it once.
  echo "$hash" > "$site/site.hash.part" && mv "$site/site.hash.part" "$site/site.hash"
}

# A second run with nothing changed skips the bindings and the optimiser.
stamp="$pkg/.built-from-$mode"
if [ -f "$stamp" ] && [ "$stamp" -nt "$wasm" ] && [ "$stamp" -nt "$claimant" ] && [ -f "$pkg/redress.wasm" ] \
  && [ -f "$pkg/redress-claimant.wasm" ]; then
  if ! cmp -s style/main.css "$pkg/redress.css" || ! [ -f "$site/site.hash" ]; then
    cp style/main.css "$pkg/redress.css"
    name_by_content
  fi
  printf '==> site up to date (%s)\n' "$mode"
  exit 0
fi
rm -f "$pkg"/.built-from-*
for name in redress redress-claimant; do
  if [ "$name" = redress ]; then from=$wasm; else from=$claimant; fi
  wasm-bindgen --target web --no-typescript --out-name "$name" --out-dir "$pkg" "$from"
  # The name Leptos asks for (as cargo-leptos writes it).
  mv "$pkg/${name}_bg.wasm" "$pkg/$name.wasm"
  if [ "$mode" = release ]; then
    .tools/node_modules/.bin/wasm-opt -Oz --converge --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals --enable-reference-types \
      -o "$pkg/$name.wasm" "$pkg/$name.wasm"
    # wasm-bindgen's glue, minified (a fifth less as transferred).
    .tools/node_modules/.bin/terser "$pkg/$name.js" --module --compress --mangle -o "$pkg/$name.js"
  fi
done
cp style/main.css "$pkg/redress.css"
if [ -d public ] && [ -n "$(ls -A public)" ]; then cp -r public/. "$site/"; fi
name_by_content
touch "$stamp"
echo "$toolchain" > "$site/built-with"
hash=$(cat "$site/site.hash")
for name in redress-claimant redress; do
  printf '==> site built (%s, %s): %s: wasm %s bytes, %s gzipped, %s brotli; js %s bytes, %s brotli\n' \
    "$mode" "$toolchain" "$name" "$(wc -c < "$pkg/$name.wasm")" "$(wc -c < "$pkg/$name.$hash.wasm.gz")" \
    "$(wc -c < "$pkg/$name.$hash.wasm.br")" "$(wc -c < "$pkg/$name.js")" "$(wc -c < "$pkg/$name.$hash.js.br")"
done
