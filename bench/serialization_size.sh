#!/usr/bin/env bash
# Dev tool (not a test): what the serialization feature (issue 14) adds to the gzipped .wasm,
# measured by removal. In a scratch worktree of HEAD, bench/serialization_stub.py makes every
# public kavro function, and the serialization-only entry points of ksim and the UI (the
# registry node, the JSON and Avro serializer paths, the JSON/Avro views, the same event, the
# value.serializer variant, the serializer form, the registry panel), abort at their first line.
# LTO then drops them and everything only reachable through them, including what was inlined
# into callers. Both builds go through the same pipeline as dist/ (wasm-bindgen, wasm-opt -Oz,
# gzip -9); what the stubs cannot remove is listed by symbol for the stubbed build.
#   bench/serialization_size.sh        (about 3 minutes per build on 2 cores)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$HOME/.cargo/bin:$root/web/node_modules/.bin:$PATH"
out=$(mktemp -d)
# Each build gets a target directory of its own: cargo names workspace members by relative
# path, so a worktree building into target/ would overwrite (or be taken for) the real build's
# artefacts.
measure() { # <source dir> <target dir> <name>
  local src=$1 target=$2 name=$3
  (cd "$src" && CARGO_TARGET_DIR="$target" cargo build --offline --release \
    --target wasm32-unknown-unknown -p kafka-playground -q 2>"$out/$name-build.log") ||
    { cat "$out/$name-build.log" >&2; exit 1; }
  cp "$target/wasm32-unknown-unknown/release/kafka-playground.wasm" "$out/$name.wasm"
  wasm-bindgen --target web --out-dir "$out/$name" "$out/$name.wasm"
  wasm-opt -Oz -all "$out/$name/${name}_bg.wasm" -o "$out/$name-opt.wasm"
  gzip -9 -c "$out/$name-opt.wasm" | wc -c
}
wt="$out/worktree"
git -C "$root" worktree add -q --detach "$wt" HEAD
trap 'git -C "$root" worktree remove --force "$wt"; rm -rf "$out"' EXIT
python3 "$root/bench/serialization_stub.py" "$wt"
full=$(measure "$root" "$root/target/size-full" full)
stub=$(measure "$wt" "$root/target/size-stub" stub)
echo "HEAD, gzip -9:                          $full B"
echo "serialization stubbed out, gzip -9:     $stub B"
echo "removed with the feature's entry points: $((full - stub)) B"
echo "left in the stubbed build, by symbol (serialization groups):"
python3 "$root/bench/wasm_size_by_symbol.py" "$out/stub.wasm" | sed -n 2,5p
