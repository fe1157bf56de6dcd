"""Documentation checked by tests: every command shows an example, and the README's command
reference is exactly what the help texts say today."""

from __future__ import annotations

from pathlib import Path

import pytest

from icc_travel.cli import reference
from icc_travel.cli.main import cli

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.parametrize("path", reference.command_paths(), ids=lambda p: " ".join(p) or "icc-travel")
def test_every_help_shows_an_example(runner, path: list[str]) -> None:
    result = runner.invoke(cli, [*path, "--help"], prog_name="icc-travel", terminal_width=reference.WIDTH)
    assert result.exit_code == 0
    assert "Example" in result.stdout and "icc-travel " in result.stdout.split("Example", 1)[1]
    assert result.stdout.strip() == reference.help_text(path).strip()  # what the README shows
    # examples keep their lines: click's no-rewrap marker is the \b character, not a backslash and b
    assert "\\b" not in result.stdout and "\n  Example" in result.stdout


def test_readme_command_reference_is_current() -> None:
    if not README.exists():
        pytest.skip("README.md is not beside the tests (installed from a wheel)")
    text = README.read_text(encoding="utf-8")
    assert reference.updated(text) == text, "run: python -m icc_travel.cli.reference README.md"


def test_the_reference_check_fails_on_a_stale_readme(tmp_path: Path) -> None:
    stale = tmp_path / "README.md"
    stale.write_text(f"# x\n\n{reference.START}\nold text\n{reference.END}\n", encoding="utf-8")
    assert reference.main([str(stale), "--check"]) == 1
    assert reference.main([str(stale)]) == 0
    assert reference.main([str(stale), "--check"]) == 0 and "Usage: icc-travel check" in stale.read_text()


def test_the_readme_api_example_prints_what_it_says() -> None:
    """The Python API example runs as written, and prints the lines its comments show."""
    if not README.exists():
        pytest.skip("README.md is not beside the tests (installed from a wheel)")
    pytest.importorskip("geopandas")
    import contextlib
    import io

    marker = "<!-- api example: run by tests/test_docs.py -->\n```python\n"
    block = README.read_text(encoding="utf-8").split(marker, 1)[1].split("```", 1)[0]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(block, "README.md (api example)", "exec"), {})
    shown = [line.removeprefix("# ") for line in block.splitlines() if line.startswith("# ")]
    assert printed.getvalue().splitlines() == shown
