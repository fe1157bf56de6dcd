"""`icc-travel data validate|info`: check the datasets and describe what they hold."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import click

from icc_travel import law
from icc_travel.cli.context import load, run_context
from icc_travel.cli.options import format_option, reports_errors
from icc_travel.cli.render import emit
from icc_travel.data import paths
from icc_travel.formats import Report
from icc_travel.vocabulary import ExitStatus

if TYPE_CHECKING:
    from icc_travel.data.models import Sources

TIER_NAMES = ("depositary", "court", "un", "government", "ngo", "news", "aggregator")  # sources.TIERS, unimported

LICENCES = [
    (
        "member_states.geojson (boundaries)",
        "OpenStreetMap contributors, ODbL 1.0, via npm @geo-maps/countries-maritime-10m 0.6.0",
    ),
    (
        "states_parties.yaml, warrants.yaml, precedents.yaml",
        "facts compiled from the cited public sources; each record carries its URLs",
    ),
    ("airports", "airportsdata (MIT)"),
]


@click.group()
def data() -> None:
    """Validate and describe the bundled datasets.

    \b
    Examples:
      icc-travel data validate
      icc-travel data info --format json
    """


@data.command()
@reports_errors
def validate() -> None:
    """Check schema, ISO codes, date order, cross-references and geometry.

    Prints one `file: entry: problem` line per problem and exits 2 if there are any.

    \b
    Example:
      icc-travel data validate
    """
    from icc_travel.data.validation import validate_all

    problems = validate_all(paths.data_dir(), run_context().facts_file())
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise SystemExit(ExitStatus.BAD_INPUT)
    click.echo(f"ok: data in {paths.data_dir()} is valid")


@data.command()
@click.option(
    "--at-most",
    "at_most",
    type=click.Choice(TIER_NAMES),
    help="Only facts whose strongest source is of this tier or weaker (e.g. news: news and aggregators).",
)
@format_option()
@reports_errors
def sources(at_most: str | None, fmt: str) -> None:
    """Each recorded fact with the sources bound to it, their tiers and its confidence, weakest first.

    A fact is any record with sources: a state's membership dates and, where the record binds them,
    its entry into force, withdrawal and revocation apart; a territory's application; an
    announcement or event; a subject, a death, an office, a ruling, a precedent, a finding. Use it
    to find the facts that rest only on aggregators and improve them.

    \b
    Examples:
      icc-travel data sources --at-most aggregator
      icc-travel data sources --format csv
    """
    from icc_travel.data.evidence import fact_evidence, tier_counts
    from icc_travel.data.sources import TIERS, as_json

    dataset = load()
    directory = paths.data_dir()
    files = [directory / name for name in (paths.PARTIES_FILE, paths.WARRANTS_FILE, paths.PRECEDENTS_FILE)]
    if (local := run_context().facts_file()) is not None:
        files.append(local)
    facts = fact_evidence(files, dataset.source_tiers)
    counts = tier_counts(facts)
    if at_most:
        facts = [f for f in facts if TIERS.index(f.strongest_tier) >= TIERS.index(at_most)]
    rows = [
        {
            "file": f.file,
            "fact": f.entry,
            "strongest_tier": f.strongest_tier,
            "confidence": f.confidence,
            "source_count": len(f.sources),
            "strongest_source": f.sources[0].url,
            "tiers": _tier_summary(f.sources),
            "sources": as_json(f.sources),
        }
        for f in facts
    ]
    emit(
        Report(
            as_of=dataset.as_of,
            columns=[
                ("fact", "Fact"),
                ("file", "File"),
                ("strongest_tier", "Strongest tier"),
                ("confidence", "Confidence"),
                ("source_count", "Sources"),
                ("tiers", "Tiers"),
                ("strongest_source", "Strongest source"),
            ],
            rows=rows,
            payload={"data_as_of": dataset.as_of.isoformat(), "facts_by_strongest_tier": counts, "facts": rows},
            title=f"{len(rows)} facts" + (f" whose strongest source is {at_most} or weaker" if at_most else ""),
            footer=[
                "Facts by strongest tier: " + ", ".join(f"{tier} {n}" for tier, n in counts.items()),
                f"Data as of {dataset.as_of}.",
            ],
            csv_columns=[
                (k, k) for k in ("file", "fact", "strongest_tier", "confidence", "source_count", "strongest_source")
            ],
        ),
        fmt,
    )


def _tier_summary(sources: Sources) -> str:
    """How many of a fact's sources are of each tier, strongest first: "court 2, news 1"."""
    from icc_travel.data.sources import TIERS

    counts = [(tier, sum(1 for source in sources if source.tier == tier)) for tier in TIERS]
    return ", ".join(f"{tier} {n}" for tier, n in counts if n)


@data.command()
@click.option(
    "--on", "on", default=None, metavar="YYYY-MM-DD", help="Count parties in force on this date (default today)."
)
@format_option(("table", "json"))
@reports_errors
def info(on: str | None, fmt: str) -> None:
    """Dataset dates, counts, sources and licences.

    \b
    Example:
      icc-travel data info --format json
    """
    from icc_travel.dates import parse_date, today

    day = parse_date(on, what="--on") if on else today()
    dataset = load()
    statuses = Counter(s.status for s in dataset.subjects)
    main = [t for t in dataset.territories if t.territory is None]
    parties = sorted(t.iso3 for t in main if t.iso3 == t.sovereign and law.statute_in_force(t, day))
    payload = {
        "data_dir": str(paths.data_dir()),
        "as_of": {"warrants": dataset.warrants_as_of.isoformat(), "precedents": dataset.precedents_as_of.isoformat()},
        "counts": {
            "subjects": len(dataset.subjects),
            "subjects_by_status": dict(sorted(statuses.items())),
            "situations": len(dataset.situations),
            "precedents": len(dataset.precedents),
            "territories": len(dataset.territories),
            "states_ever_party": len({t.iso3 for t in main if t.entry_into_force and t.iso3 == t.sovereign}),
            "parties_in_force": len(parties),
        },
        "parties_in_force_on": day.isoformat(),
        "licences": [{"files": files, "licence": text} for files, text in LICENCES],
    }
    rows = [
        {"item": key.replace("_", " "), "value": value}
        for key, value in payload["counts"].items()
        if key != "subjects_by_status"
    ]
    rows += [
        {"item": f"subjects {status}", "value": count}
        for status, count in payload["counts"]["subjects_by_status"].items()
    ]
    rows += [
        {"item": "warrants as of", "value": payload["as_of"]["warrants"]},
        {"item": "precedents as of", "value": payload["as_of"]["precedents"]},
    ]
    emit(
        Report(
            as_of=dataset.as_of,
            columns=[("item", "Item"), ("value", "Value")],
            rows=rows,
            payload=payload,
            title=f"icc-travel data ({payload['data_dir']}); parties counted on {day}",
            details=[("Licences", [f"{files}: {text}" for files, text in LICENCES])],
        ),
        fmt,
    )
