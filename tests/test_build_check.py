"""`build_territories.py --check` answers from the recorded build when nothing it depends on has
changed, and rebuilds (minutes) when anything has: the script, a library version, or a byte of
either output file. The audit of area beyond land + breadth fails on any area without a recorded
reason, in the build and, from the audit's recorded findings, in the quick check."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import shapely

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "build_territories.py"


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("build_territories", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_check_passes_from_the_record_without_rebuilding() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "as the recorded build left them" in done.stdout
    assert "rebuilding" not in done.stderr


def test_a_changed_output_byte_is_not_taken_from_the_record(build, tmp_path: Path) -> None:
    assert build.recorded_build_agrees(build.OUTPUT, build.BORDER_POINTS)
    copy = tmp_path / "member_states.geojson"
    shutil.copyfile(build.OUTPUT, copy)
    data = bytearray(copy.read_bytes())
    data[-10] = ord("9") if data[-10] != ord("9") else ord("8")
    copy.write_bytes(bytes(data))
    assert not build.recorded_build_agrees(copy, build.BORDER_POINTS)


def test_a_changed_input_is_not_taken_from_the_record(build, monkeypatch: pytest.MonkeyPatch) -> None:
    record = build.input_record()
    monkeypatch.setattr(build, "input_record", lambda: {**record, "script": "0" * 64})
    assert not build.recorded_build_agrees(build.OUTPUT, build.BORDER_POINTS)
    libraries = {**record["libraries"], "geos": "0.0.0"}
    monkeypatch.setattr(build, "input_record", lambda: {**record, "libraries": libraries})
    assert not build.recorded_build_agrees(build.OUTPUT, build.BORDER_POINTS)


def _island_with_a_claim(build) -> tuple[dict, dict]:
    """A 0.2-degree square island on the equator; its feature is the island plus 12 nm, and a
    bay-like box reaching 60 km farther east than the belt (a baseline claim, or an error)."""
    land = shapely.box(10.0, 0.0, 10.2, 0.2)
    belt = shapely.box(10.0 - 0.2, -0.2, 10.2 + 0.2, 0.4)  # 0.2 deg ~ 22 km = 12 nm
    claim = shapely.box(10.4, 0.0, 10.95, 0.2)
    return {("XXX", ""): shapely.union(belt, claim)}, {"XXX": land}


def test_the_audit_measures_area_beyond_land_plus_breadth(build) -> None:
    whole, land = _island_with_a_claim(build)
    found = build.audit_beyond_breadth(whole, land, {})
    # the claim reaches ~105 km east of the island's coast; beyond 12 nm + the margin lies
    # about (105 - 22 - 2.5) km x 22 km
    assert 1200 < found[("XXX", "")] < 2000
    plain = {("XXX", ""): shapely.box(10.0 - 0.15, -0.15, 10.2 + 0.15, 0.35)}
    assert build.audit_beyond_breadth(plain, land, {}) == {}


def test_the_audit_fails_without_a_recorded_reason(build) -> None:
    whole, land = _island_with_a_claim(build)
    found = build.audit_beyond_breadth(whole, land, {})
    km2 = round(found[("XXX", "")])
    reason = {("XXX", ""): {"iso3": "XXX", "km2": km2, "reason": "straight baselines"}}
    assert build.check_audit(found, reason, {}) == [f"XXX: {km2:,} km2 beyond the breadth (straight baselines...)"]
    with pytest.raises(SystemExit, match=r"XXX: .* no recorded reason"):
        build.check_audit(found, {}, {})
    with pytest.raises(SystemExit, match="more than the 100 km2 recorded"):
        build.check_audit(found, {("XXX", ""): {**reason[("XXX", "")], "km2": 100}}, {})
    with pytest.raises(SystemExit, match="a reason is recorded, but the audit finds no area"):
        build.check_audit({}, reason, {})
    assert "NO REASON RESEARCHED YET" in build.check_audit(found, {}, {"XXX": km2})[0]


def test_the_quick_check_holds_the_recorded_audit_to_the_reasons(build) -> None:
    """The record holds the audit's findings, so --check needs no recomputation to see that a
    reason was removed from states_parties.yaml."""
    recorded = build.recorded_audit()
    reasons = build.recorded_reasons()
    assert ("ITA", "") in recorded and ("ITA", "") in reasons
    assert build.check_audit(recorded, reasons)
    del reasons[("ITA", "")]
    with pytest.raises(SystemExit, match=r"ITA: .* no recorded reason"):
        build.check_audit(recorded, reasons)
