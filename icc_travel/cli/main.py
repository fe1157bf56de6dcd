"""The `icc-travel` command group. Each subcommand lives in its own module, imported on use."""

from __future__ import annotations

import importlib

import click

from icc_travel import __version__

# name -> "module:attribute"; loading lazily keeps `check` from importing the other commands.
COMMANDS = {
    "check": "icc_travel.cli.check_cmd:check",
    "batch": "icc_travel.cli.batch_cmd:batch",
    "table": "icc_travel.cli.table_cmd:table",
    "states": "icc_travel.cli.states_cmd:states",
    "subjects": "icc_travel.cli.subjects_cmd:subjects",
    "subject": "icc_travel.cli.subjects_cmd:subject",
    "precedents": "icc_travel.cli.precedents_cmd:precedents",
    "map": "icc_travel.cli.map_cmd:map_command",
    "data": "icc_travel.cli.data_cmd:data",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target.split(":")
        return getattr(importlib.import_module(module), attribute)

    @property
    def commands(self) -> dict[str, click.Command]:  # type: ignore[override]
        return {name: self.get_command(click.Context(self), name) for name in COMMANDS}  # type: ignore[misc]

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        pass


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="icc-travel")
def cli() -> None:
    """Which stops of a trip carry an obligation to arrest a person wanted by the ICC.

    \b
    Example:
      icc-travel check putin MN@2024-09-03
    """


def main() -> None:
    cli(prog_name="icc-travel")
