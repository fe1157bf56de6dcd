"""Write the JSON Schemas of the commands' JSON documents into icc_travel/schemas/.

The schemas are made from the contract's types (icc_travel/engine/contract_types.py) by
icc_travel/engine/schemas.py; run this after changing a type. `--check` writes nothing and exits
1 when a shipped file differs from what the types make (the tests run the same comparison).
Usage: python scripts/build_schemas.py [--check]
"""

from __future__ import annotations

import sys

from icc_travel.engine import schemas


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    schemas.SHIPPED.mkdir(exist_ok=True)
    for name in schemas.names():
        target = schemas.SHIPPED / f"{name}.schema.json"
        wanted = schemas.text(name)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == wanted:
            continue
        stale.append(target.name)
        if not check:
            target.write_text(wanted, encoding="utf-8")
    known = {f"{name}.schema.json" for name in schemas.names()}
    extra = sorted(p.name for p in schemas.SHIPPED.glob("*.schema.json") if p.name not in known)
    if check and (stale or extra):
        print(f"out of date: {', '.join(stale + extra)} (run python scripts/build_schemas.py)", file=sys.stderr)
        return 1
    for name in extra:
        (schemas.SHIPPED / name).unlink()
    print(f"{len(known)} schemas in {schemas.SHIPPED}, {len(stale)} rewritten, {len(extra)} removed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
