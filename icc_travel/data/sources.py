"""How much a cited source can carry: tiers by host (data/sources.yaml), confidence, ordering.

A journalist copies the first source of an answer into an article, so answers list the strongest
first and say what kind of source each is; a fact resting only on aggregators is low confidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from icc_travel.vocabulary import Confidence, Tier, values

TIERS = values(Tier)
_RANK = {tier: rank for rank, tier in enumerate(TIERS)}
CONFIDENCES = values(Confidence)
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
    """The host a tier is recorded for, as a browser reads the URL (the WHATWG URL Standard, by
    the ada library): `https://icc-cpi.int\\@junk.example/`, `https://a@b@junk.example/` and
    `https://%6Aunk.example/` all open junk.example, so they are junk.example here too. Lower case,
    IDNA as ASCII, without `www.` and without the trailing dot of a fully qualified name. A text
    no browser would open as a URL gives ''."""
    import ada_url

    try:
        name = ada_url.URL(url.strip()).hostname
    except ValueError:
        return ""
    return name.rstrip(".").removeprefix("www.")


def tier_of(url: str, tiers: Mapping[str, str]) -> str:
    """A URL's tier; a host not in the table counts as an aggregator (validation refuses it).

    A dataset's table also holds every URL its files cite, tiered when the data was loaded (and
    cached with it), so answers never parse a URL again."""
    known = tiers.get(url)
    return known if known is not None else tiers.get(host(url), "aggregator")


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
