"""How much a cited source can carry: tiers by host (data/sources.yaml), confidence, ordering.

A journalist copies the first source of an answer into an article, so answers list the strongest
first and say what kind of source each is; a fact resting only on aggregators is low confidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

TIERS = ("depositary", "court", "un", "government", "ngo", "news", "aggregator")
_RANK = {tier: rank for rank, tier in enumerate(TIERS)}
CONFIDENCES = ("high", "medium", "low")
# The most a fact can claim when its strongest source is of this tier.
_CAP = {
    "depositary": "high",
    "court": "high",
    "un": "high",
    "government": "high",
    "ngo": "medium",
    "news": "medium",
    "aggregator": "low",
}


def host(url: str) -> str:
    """The host a tier is recorded for: scheme, `www.`, port and path dropped, lower case."""
    rest = url.split("://", 1)[-1]
    name = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[-1].split(":", 1)[0].lower()
    return name.removeprefix("www.")


def tier_of(url: str, tiers: Mapping[str, str]) -> str:
    """A URL's tier; a host not in the table counts as an aggregator (validation refuses it)."""
    return tiers.get(host(url), "aggregator")


def strongest_first(urls: Iterable[str], tiers: Mapping[str, str]) -> tuple[str, ...]:
    """Sources ordered by tier, keeping the recorded order within a tier, without repeats."""
    unique = list(dict.fromkeys(urls))
    return tuple(sorted(unique, key=lambda url: _RANK[tier_of(url, tiers)]))


def tiered(urls: Iterable[str], tiers: Mapping[str, str]) -> list[dict[str, str]]:
    """The JSON form of a source list: `{"url", "tier"}`, strongest first."""
    return [{"url": url, "tier": tier_of(url, tiers)} for url in strongest_first(urls, tiers)]


def confidence(urls: Iterable[str], tiers: Mapping[str, str], stated: str | None = None) -> str:
    """A fact's confidence: what its record states, never more than its strongest source allows."""
    ranks = [_RANK[tier_of(url, tiers)] for url in urls]
    cap = _CAP[TIERS[min(ranks)]] if ranks else "low"
    if stated is None:
        return cap
    return max(stated, cap, key=CONFIDENCES.index)


def as_json(urls: Iterable[str], tiers: Mapping[str, str]) -> list[dict[str, str]]:
    """Sources for an answer: `{"url", "tier"}`, strongest first, by a dataset's table of tiers
    (`Dataset.source_tiers`: the bundled hosts and any a local facts file adds)."""
    return tiered(urls, tiers)


def as_lines(urls: Iterable[str], tiers: Mapping[str, str]) -> list[str]:
    """Sources for a terminal or a report: `Source (tier): URL`, strongest first."""
    return [f"Source ({entry['tier']}): {entry['url']}" for entry in as_json(urls, tiers)]
