#!/usr/bin/env python3
"""Derives the Hugo site's data file from a trede build, for bench/run.sh.

    python3 bench/hugo_data.py REGISTRY_ROOT TREDE_OUTPUT OUT_JSON

Reads TREDE_OUTPUT/data/registry.json (the organisations exactly as trede
computed them: names, levels, statuses, percentages, norms, certificates)
and, for the text trede renders on each page but does not publish in
registry.json, the `summary`, `description` and `website` of
REGISTRY_ROOT/content/organisations/<id>.toml. Writes one JSON object,
{"organisations": [...]}, with per organisation the registry.json fields,
the Dutch labels, the page body (markdown) and the taxonomy terms that
give Hugo the same browse lists as trede: only organisations with a
current certificate (valid or expiring) are in the level, province and
sector lists; every organisation is in exactly one of the register's two
terms, `geldig` and `niet-geldig`.
"""

import json
import sys
import tomllib
from pathlib import Path

LEVEL_LABELS = {
    "aspirant": "Aspirant",
    "basistrede": "Basistrede",
    "trede-1": "Trede 1",
    "trede-2": "Trede 2",
    "trede-3": "Trede 3",
}
STATUS_LABELS = {
    "valid": "Geldig",
    "expiring": "Verloopt binnenkort",
    "expired": "Verlopen",
    "suspended": "Geschorst",
    "withdrawn": "Ingetrokken",
}
CURRENT = {"valid", "expiring"}


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    root, trede_out, out_json = (Path(a) for a in sys.argv[1:])
    registry = json.loads((trede_out / "data" / "registry.json").read_text("utf-8"))
    records = root / "content" / "organisations"
    out = []
    for org in registry["organisations"]:
        record = tomllib.loads((records / f"{org['id']}.toml").read_text("utf-8"))
        body = "\n\n".join(
            part for part in (record.get("summary"), record.get("description")) if part
        )
        level, status = org["level"], org["certificate"]["status"]
        current = status in CURRENT
        entry = dict(org)
        entry.update(
            website=record.get("website"),
            body=body,
            level_label=LEVEL_LABELS[level],
            status_label=STATUS_LABELS[status],
            register=["geldig" if current else "niet-geldig"],
            trede=[level] if current else [],
            provincie=[org["province"]] if current else [],
            sector_terms=[org["sector"]] if current else [],
        )
        out.append(entry)
    Path(out_json).parent.mkdir(parents=True, exist_ok=True)
    with open(out_json, "w", encoding="utf-8") as f:
        json.dump({"organisations": out}, f, ensure_ascii=False)
    print(f"hugo_data: {len(out)} organisations -> {out_json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
