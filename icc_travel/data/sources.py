"""How much a cited source can carry: tiers by host (data/sources.yaml), confidence, ordering.

A journalist copies the first source of an answer into an article, so answers list the strongest
first and say what kind of source each is; a fact resting only on aggregators is low confidence.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

from icc_travel.data.models import Source, Sources
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


@functools.lru_cache(maxsize=8192)  # each cited URL is read when bound and again when validated
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


def bind(url: str, tiers: Mapping[str, str]) -> Source:
    """A cited URL with the tier its host has in the table (a host not in it counts as an
    aggregator; validation refuses it): done once, when the data is loaded. Equal sources are
    one object (they are immutable): the cached dataset then holds each once, and every check
    unpickles 700 sources instead of 1,750."""
    source = Source(url, tiers.get(host(url), "aggregator"))
    return _BOUND.setdefault(source, source)


_BOUND: dict[Source, Source] = {}


def strongest_first(sources: Iterable[Source]) -> Sources:
    """Sources ordered by tier, keeping the recorded order within a tier, without repeats."""
    unique = list(dict.fromkeys(sources))
    return tuple(sorted(unique, key=lambda source: _RANK[source.tier]))


def confidence(sources: Iterable[Source], stated: str | None = None) -> str:
    """A fact's confidence: what its record states, never more than its strongest source allows."""
    ranks = [_RANK[source.tier] for source in sources]
    cap = _CAP[TIERS[min(ranks)]] if ranks else "low"
    if stated is None:
        return cap
    return max(stated, cap, key=CONFIDENCES.index)


def as_json(sources: Iterable[Source]) -> list[dict[str, str]]:
    """Sources for an answer: `{"url", "tier"}`, strongest first."""
    return [{"url": source.url, "tier": source.tier} for source in strongest_first(sources)]


def as_lines(sources: Iterable[Source]) -> list[str]:
    """Sources for a terminal or a report: `Source (tier): URL`, strongest first."""
    return [f"Source ({source.tier}): {source.url}" for source in strongest_first(sources)]
