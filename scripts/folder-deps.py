#!/usr/bin/env python3
"""Which of BizKeys.Core's feature folders refer to each other, and which pairs go both ways.

Usage: python3 scripts/folder-deps.py [--verbose]
A type belongs to the folder its file sits in (files at Core's root belong to no feature).
Data/ is left out: one DbContext over every entity is inherent to EF Core.
"""
import os, re, sys, collections

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "BizKeys.Core")
SKIP = {"Data", "bin", "obj"}
decl = re.compile(r"\b(?:class|record|struct|enum|interface)\s+([A-Z]\w*)")
ident = re.compile(r"\b[A-Z]\w*\b")
comment = re.compile(r"//.*?$|/\*.*?\*/|\"(?:\\.|[^\"\\])*\"", re.S | re.M)

files = {}
for dirpath, dirs, names in os.walk(ROOT):
    rel = os.path.relpath(dirpath, ROOT)
    top = rel.split(os.sep)[0]
    if top in SKIP:
        continue
    for n in names:
        if n.endswith(".cs"):
            with open(os.path.join(dirpath, n), encoding="utf-8") as f:
                files[os.path.join(rel, n)] = (top if rel != "." else None, comment.sub("", f.read()))

owner = {}
for path, (folder, text) in files.items():
    for name in decl.findall(text):
        owner.setdefault(name, folder)

edges = collections.defaultdict(set)
for path, (folder, text) in files.items():
    if folder is None:
        continue
    for name in set(ident.findall(text)):
        other = owner.get(name)
        if other and other != folder:
            edges[(folder, other)].add(f"{os.path.basename(path)} -> {name}")

pairs = sorted({tuple(sorted(p)) for p in edges if (p[1], p[0]) in edges})
folders = sorted({f for f, _ in files.values() if f})
print(f"feature folders: {len(folders)} ({', '.join(folders)})")
print(f"one-way dependencies: {len({tuple(sorted(p)) for p in edges}) - len(pairs)}")
print(f"two-way pairs: {len(pairs)}")
for a, b in pairs:
    print(f"  {a} <-> {b}")
    if "--verbose" in sys.argv:
        for side in ((a, b), (b, a)):
            print(f"    {side[0]} -> {side[1]}: {'; '.join(sorted(edges[side]))}")
