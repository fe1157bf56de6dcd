"""The run's settings from the group's options (`--facts`, `-q`, `-v`), held on click's context
object for the commands below it: never written into `os.environ` or module globals, so one
process can run the CLI many times (tests, notebooks with CliRunner) without one run's facts
file or verbosity leaking into the next, and subprocesses inherit only what the user set."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from pathlib import Path

    from icc_travel.data.models import Dataset


class RunContext:
    """A plain class, not a dataclass: making one costs every run's start-up about 0.3 ms."""

    def __init__(self, facts: Path | None = None, verbosity: int = 0, warnings: list[str] | None = None) -> None:
        self.facts = facts  # --facts FILE; without it, $ICC_TRAVEL_FACTS applies
        self.verbosity = verbosity  # -q: -1 (no warnings, no progress), -v: 1 (also where the data came from)
        # Warnings wait until the command has validated all its input and finished: a run that ends
        # in an input error prints that one error line and nothing else (see cli.main).
        self.warnings: list[str] = [] if warnings is None else warnings

    def __repr__(self) -> str:
        return f"RunContext(facts={self.facts!r}, verbosity={self.verbosity!r}, warnings={self.warnings!r})"

    def facts_file(self) -> Path | None:
        """The local facts file this run merges: --facts, else $ICC_TRAVEL_FACTS, else none."""
        from icc_travel.data import paths

        return self.facts if self.facts is not None else paths.facts_file()


def in_command() -> bool:
    """Whether a command is running (render helpers may also be called from plain Python)."""
    return click.get_current_context(silent=True) is not None


def run_context() -> RunContext:
    """This run's settings: made by the group's first option callback, shared by its commands.
    Outside a command, the defaults, fresh each time: a setting made there has no run to last
    for, and none may leak into a later one."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return RunContext()
    return ctx.find_root().ensure_object(RunContext)  # the group's main passes one in as `obj`


def load() -> Dataset:
    """The dataset for this run, with its local facts file merged in."""
    from icc_travel.data import store

    return store.load(facts=run_context().facts_file())
