"""The folders are the architecture: each layer imports only the layers above it (README, Layout)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "icc_travel"
# layer -> project packages it may import (besides the shared basics: errors, text, dates, vocabulary)
ALLOWED = {
    "data": {"data"},
    "law": {"data", "law"},
    "geo": {"data", "geo"},  # geo measures and draws; applying the law to what it finds is the engine's
    "engine": {"data", "law", "geo", "engine"},
    "formats": {"formats"},
    "cli": {"data", "law", "geo", "engine", "formats", "cli", "api"},
}
# modules at the package's top level, each a layer of its own
MODULES = {"api": {"data", "law", "geo", "engine"}}
BASICS = {"errors", "text", "dates", "vocabulary", "__version__"}


def imports(path: Path) -> set[str]:
    """Project modules imported at run time (not under `if TYPE_CHECKING:`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    checking = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and getattr(block.test, "id", None) == "TYPE_CHECKING"
        for node in ast.walk(block)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in checking:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("icc_travel"):
            parts = node.module.split(".")
            found.add(parts[1] if len(parts) > 1 else node.names[0].name)
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("icc_travel.")}
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_each_layer_imports_only_the_layers_above_it(layer: str) -> None:
    for path in sorted((PACKAGE / layer).glob("*.py")):
        wrong = imports(path) - ALLOWED[layer] - BASICS
        assert not wrong, f"{path.relative_to(PACKAGE)} imports {sorted(wrong)}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_each_top_level_module_imports_only_the_layers_above_it(module: str) -> None:
    wrong = imports(PACKAGE / f"{module}.py") - MODULES[module] - BASICS
    assert not wrong, f"{module}.py imports {sorted(wrong)}"


def test_the_law_has_no_io_click_or_rich() -> None:
    for path in (PACKAGE / "law").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for forbidden in ("import click", "import rich", "from rich", "open(", "print("):
            assert forbidden not in source, (path.name, forbidden)
