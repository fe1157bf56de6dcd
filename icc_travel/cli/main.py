"""The `icc-travel` command group. Each subcommand lives in its own module."""

from __future__ import annotations

import click

from icc_travel import __version__
from icc_travel.cli.check_cmd import check
from icc_travel.cli.data_cmd import data
from icc_travel.cli.map_cmd import map_command
from icc_travel.cli.precedents_cmd import precedents
from icc_travel.cli.states_cmd import states
from icc_travel.cli.subjects_cmd import subject, subjects
from icc_travel.cli.table_cmd import table


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="icc-travel")
def cli() -> None:
    """Which stops of a trip carry an obligation to arrest a person wanted by the ICC.

    \b
    Example:
      icc-travel check putin MN@2024-09-03
    """


for command in (check, table, states, subjects, subject, precedents, map_command, data):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="icc-travel")
