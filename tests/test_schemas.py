"""The shipped JSON Schemas are what the contract's types make, and every document the commands
print conforms to them: the golden outputs, and fresh runs on inputs that reach the contract's
rarer shapes (disputes, suspect positions, error rows, points outside every territory)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from icc_travel.engine import schemas

jsonschema = pytest.importorskip("jsonschema")

GOLDEN = Path(__file__).parent / "golden"
REAL = Path(__file__).parent / "data" / "real"
GOLDEN_DOCUMENTS = {
    "check.json": "check",
    "check_bashir.json": "check",
    "track.json": "track",
    "track_real_day.json": "track",
    "batch.json": "batch",
    "screen.json": "screen",
    "subject_putin.json": "subject",
}
GOLDEN_ROWS = {"batch.jsonl": "batch-row", "screen.jsonl": "screen-row"}


def validator(name: str):
    shipped = schemas.shipped(name)
    jsonschema.Draft202012Validator.check_schema(shipped)
    return jsonschema.Draft202012Validator(shipped)


def problems(name: str, document: object) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator(name).iter_errors(document)]


@pytest.mark.parametrize("name", schemas.names())
def test_the_shipped_schemas_are_what_the_types_make(name: str) -> None:
    shipped = (schemas.SHIPPED / f"{name}.schema.json").read_text(encoding="utf-8")
    assert shipped == schemas.text(name), "run python scripts/build_schemas.py"


def test_no_schema_is_shipped_without_a_type() -> None:
    assert sorted(p.name.removesuffix(".schema.json") for p in schemas.SHIPPED.glob("*.json")) == schemas.names()


@pytest.mark.parametrize(("file", "name"), sorted(GOLDEN_DOCUMENTS.items()))
def test_golden_documents_conform(file: str, name: str) -> None:
    assert problems(name, json.loads((GOLDEN / file).read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize(("file", "name"), sorted(GOLDEN_ROWS.items()))
def test_golden_rows_conform(file: str, name: str) -> None:
    for line in (GOLDEN / file).read_text(encoding="utf-8").splitlines():
        assert problems(name, json.loads(line)) == []


@pytest.mark.parametrize(
    ("name", "args"),
    [
        # a disputed reading (Hungary's withdrawal and its revocation), a leg, a point at sea
        ("check", ["check", "netanyahu", "HU@2026-07-01", "47.43,19.26@2026-07-02", "35.0,-30.0@2026-07-03"]),
        # Antarctica, a transit stop, a stop after the data's as-of date
        ("check", ["check", "putin", "-80,0@2024-01-01", "Crimea@2030-01-01"]),
        ("track", ["track", str(REAL / "traffic_noisy_spoofing.csv.gz"), "--subject", "putin"]),
        ("track", ["track", str(REAL / "fr24_2ce4f83f.json"), "--subject", "netanyahu"]),
        ("table", ["table", "--subject", "putin", "--subject", "al-bashir", "--on", "2015-06-14"]),
        ("table", ["table", "--on", "2031-01-01"]),
        ("subject", ["subject", "otti", "--on", "2023-01-01"]),
    ],
)
def test_fresh_documents_conform(invoke, name: str, args: list[str]) -> None:
    done = invoke(*args, "--format", "json")
    assert done.exit_code in (0, 1), done.stderr
    assert problems(name, json.loads(done.stdout)) == []


def test_batch_error_rows_conform(invoke, tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(
        "subject,place,date\nputin,MN,2024-09-03\nputin,Narnia,2024-09-03\nnobody,MN,2024-09-03\n"
        "putin,airport:BUD,2024-09-03\nputin,airport:SVO,2024-09-04\n"
    )
    done = invoke("batch", str(rows), "--format", "jsonl")
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(lines) == 5 and sum(1 for row in lines if row["error"]) == 2
    for row in lines:
        assert problems("batch-row", row) == []


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d["stops"][0].pop("basis"),
        lambda d: d["stops"][0].__setitem__("obligation", "arrested"),
        lambda d: d["stops"][0].__setitem__("confidence", "certain"),
        lambda d: d["stops"][0]["sources"][0].__setitem__("tier", "blog"),
        lambda d: d["stops"][0].__setitem__("surprise", 1),
        lambda d: d["legs"][0].__setitem__("distance_km", "far"),
        lambda d: d.__setitem__("stops", {}),
    ],
)
def test_the_schema_refuses_a_damaged_document(damage) -> None:
    document = json.loads((GOLDEN / "check.json").read_text(encoding="utf-8"))
    assert document["legs"], "the golden check has a leg to damage"
    damaged = copy.deepcopy(document)
    damage(damaged)
    assert problems("check", damaged)
