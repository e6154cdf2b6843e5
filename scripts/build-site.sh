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

if [ "$mode" = release ]; then
  cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release
  wasm=target/wasm32-unknown-unknown/wasm-release/frontend.wasm
else
  cargo build -p frontend --lib --target wasm32-unknown-unknown
  wasm=target/wasm32-unknown-unknown/debug/frontend.wasm
fi
# A second run with nothing changed skips the bindings and the optimiser.
stamp="$pkg/.built-from-$mode"
if [ -f "$stamp" ] && [ "$stamp" -nt "$wasm" ] && [ -f "$pkg/redress.wasm" ]; then
  cp style/main.css "$pkg/redress.css"
  printf '==> site up to date (%s)\n' "$mode"
  exit 0
fi
rm -f "$pkg"/.built-from-*
wasm-bindgen --target web --no-typescript --out-name redress --out-dir "$pkg" "$wasm"
# The name Leptos asks for (as cargo-leptos writes it).
mv "$pkg/redress_bg.wasm" "$pkg/redress.wasm"
if [ "$mode" = release ]; then
  .tools/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types \
    -o "$pkg/redress.wasm" "$pkg/redress.wasm"
fi
cp style/main.css "$pkg/redress.css"
if [ -d public ] && [ -n "$(ls -A public)" ]; then cp -r public/. "$site/"; fi
touch "$stamp"
printf '==> site built (%s): wasm %s bytes, %s gzipped\n' "$mode" "$(wc -c < "$pkg/redress.wasm")" "$(gzip -9c "$pkg/redress.wasm" | wc -c)"
