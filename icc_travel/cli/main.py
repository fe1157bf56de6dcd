"""The `icc-travel` command group. Each subcommand lives in its own module."""

from __future__ import annotations

import click

from icc_travel import __version__
from icc_travel.cli.check_cmd import check
from icc_travel.cli.data_cmd import data


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="icc-travel")
def cli() -> None:
    """Which stops of a trip carry an obligation to arrest a person wanted by the ICC.

    \b
    Example:
      icc-travel check putin MN@2024-09-03
    """


cli.add_command(check)
cli.add_command(data)


def main() -> None:
    cli(prog_name="icc-travel")
