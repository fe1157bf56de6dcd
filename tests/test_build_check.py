"""`build_territories.py --check` answers from the recorded build when nothing it depends on has
changed, and rebuilds (minutes) when anything has: the script, a recorded reason, a library
version, or a byte of either output file."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
    monkeypatch.setattr(build, "input_record", lambda: {**record, "beyond_breadth": "0" * 64})
    assert not build.recorded_build_agrees(build.OUTPUT, build.BORDER_POINTS)
    libraries = {**record["libraries"], "geos": "0.0.0"}
    monkeypatch.setattr(build, "input_record", lambda: {**record, "libraries": libraries})
    assert not build.recorded_build_agrees(build.OUTPUT, build.BORDER_POINTS)
