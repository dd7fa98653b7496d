#!/usr/bin/env python3
"""Dev tool for bench/serialization_size.sh: makes the serialization feature's entry points
abort at their first line, in the source tree given (a scratch worktree, never the real one).

- every `pub fn` / `pub(crate) fn` of kavro outside its tests;
- in ksim and the UI, the serialization-only paths: the registry node's handler, the JSON and
  Avro branches of the serializer and its registry call, the JSON and Avro views, the same
  event and its 1,000-event batch, the value.serializer variant, the serializer form and the
  registry panel.

LTO then drops these functions and all that only they reach. A name that is no longer found
is an error, so the measurement never silently covers less than it says.

    python3 bench/serialization_stub.py TREE
"""
import glob
import os
import re
import sys

ABORT = "        std::process::abort();\n"


def stub_functions(path, names):
    with open(path) as f:
        s = f.read()
    for name in names:
        i = s.find("fn " + name + "(")
        if i < 0:
            sys.exit(f"{path}: no fn {name}: refresh bench/serialization_stub.py")
        j = s.find("{\n", i)
        s = s[: j + 2] + ABORT + s[j + 2 :]
    with open(path, "w") as f:
        f.write(s)


def stub_public(path):
    with open(path) as f:
        s = f.read()
    cut = s.find("#[cfg(test)]")
    head, tail = (s[:cut], s[cut:]) if cut >= 0 else (s, "")
    # Signatures on one line and those spread over several: the body starts at the first
    # "{" that ends a line after the name.
    out, pos, n = [], 0, 0
    for m in re.finditer(r"^\s*pub(?:\(crate\))? fn \w+", head, flags=re.M):
        j = head.find("{\n", m.end())
        if j < 0 or j < pos:
            continue
        out.append(head[pos : j + 2] + ABORT)
        pos, n = j + 2, n + 1
    out.append(head[pos:])
    with open(path, "w") as f:
        f.write("".join(out) + tail)
    return n


def main(tree):
    n = 0
    for path in sorted(glob.glob(os.path.join(tree, "crates/kavro/src/*.rs"))):
        if os.path.basename(path) not in ("lib.rs", "bench.rs"):
            n += stub_public(path)
    ksim = os.path.join(tree, "crates/ksim/src")
    stub_functions(f"{ksim}/registry.rs", ["handle", "register", "lookup"])
    stub_functions(f"{ksim}/serde_format.rs", ["python_json_dumps", "json_tokens", "avro_value_for",
                                               "avro_encode_for", "format_sizes", "python_float_repr"])
    stub_functions(f"{ksim}/serde_view.rs", ["as_json", "as_avro"])
    stub_functions(f"{ksim}/same_event.rs", ["of", "batch_of_such_events"])
    stub_functions(f"{ksim}/variant_serializer.rs", ["apply"])
    stub_functions(f"{ksim}/sim/deserialize.rs", ["same_event"])
    stub_functions(f"{ksim}/sim/serializer.rs", ["call_registry"])
    path = f"{ksim}/sim/serializer.rs"
    with open(path) as f:
        s = f.read()
    string_path = "        if format == SerdeFormat::String {\n            return Ok(Some(text.to_vec()));\n        }\n"
    if string_path not in s:
        sys.exit(f"{path}: the string serializer's early return moved: refresh bench/serialization_stub.py")
    with open(path, "w") as f:
        f.write(s.replace(string_path, string_path + ABORT, 1))
    ui = os.path.join(tree, "src/components")
    stub_functions(f"{ui}/serializer_form.rs", ["serializer_form"])
    stub_functions(f"{ui}/registry_panel.rs", ["registry_panel"])
    print(f"stubbed {n} kavro functions and the ksim and UI entry points", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
