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
# What a phone downloads once: copies named by their content (the server
# names them in every page and lets browsers keep them a year), each also
# compressed with brotli and gzip (served by the request's Accept-Encoding).
# One hash for the JS, the WebAssembly and the stylesheet, in site.hash.
name_by_content() {
  local hash f
  rm -f "$pkg"/redress.????????????????.* "$site/site.hash"
  hash=$(cat "$pkg/redress.js" "$pkg/redress.wasm" "$pkg/redress.css" | sha256sum | cut -c1-16)
  for f in js wasm css; do
    cp "$pkg/redress.$f" "$pkg/redress.$hash.$f"
    gzip -9 -k -n "$pkg/redress.$hash.$f"
    # Brotli's best for what is shipped; a quicker level for test builds.
    if [ "$mode" = release ]; then brotli -q 11 -k "$pkg/redress.$hash.$f"; else brotli -q 5 -k "$pkg/redress.$hash.$f"; fi
  done
  # Whole or not there: a server starting meanwhile reads it once.
  echo "$hash" > "$site/site.hash.part" && mv "$site/site.hash.part" "$site/site.hash"
}

# A second run with nothing changed skips the bindings and the optimiser.
stamp="$pkg/.built-from-$mode"
if [ -f "$stamp" ] && [ "$stamp" -nt "$wasm" ] && [ -f "$pkg/redress.wasm" ]; then
  if ! cmp -s style/main.css "$pkg/redress.css" || ! [ -f "$site/site.hash" ]; then
    cp style/main.css "$pkg/redress.css"
    name_by_content
  fi
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
name_by_content
touch "$stamp"
hash=$(cat "$site/site.hash")
printf '==> site built (%s): wasm %s bytes, %s gzipped, %s brotli; js %s bytes, %s brotli\n' "$mode" \
  "$(wc -c < "$pkg/redress.wasm")" "$(wc -c < "$pkg/redress.$hash.wasm.gz")" "$(wc -c < "$pkg/redress.$hash.wasm.br")" \
  "$(wc -c < "$pkg/redress.js")" "$(wc -c < "$pkg/redress.$hash.js.br")"
