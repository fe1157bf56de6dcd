"""Plain records for the three datasets. No legal rules live here (see the law package)."""

import datetime as dt
from typing import Any, NamedTuple

# A state's treaty dates, in the order they happen (Territory fields of the same names).
MEMBERSHIP_FIELDS = (
    "signed",
    "deposited",
    "entry_into_force",
    "withdrawal_notified",
    "withdrawal_revoked",
    "withdrawal_effective",
)


class Source(NamedTuple):
    """A cited URL with its tier, bound when the data is loaded (by the host's class in
    data/sources.yaml, or a local facts file's `hosts:`), so no answer parses a URL or looks a
    tier up again."""

    url: str
    tier: str  # vocabulary.Tier's value


Sources = tuple[Source, ...]


class Reading(NamedTuple):
    """Another reading of a disputed fact: the fields it changes, why, and on what sources."""

    changes: tuple[tuple[str, object], ...]  # (Territory field, value)
    reason: str
    sources: Sources
    why_chosen: str | None  # why the recorded reading was preferred over this one
    dated: dt.date | None = None  # when its latest supporting source was written


# The facts a state's (or a territory's) sources are bound to, in the order they happen.
EVIDENCE_FACTS = ("entry_into_force", "application", "withdrawal", "revocation")


class Evidence(NamedTuple):
    """The sources bound to one fact (entry into force, application to a territory, withdrawal,
    revocation), the confidence they allow, and when the latest of them was written."""

    sources: Sources
    confidence: str
    dated: dt.date | None = None


class Standing(NamedTuple):
    """How an area drawn apart stands in law where that depends on the date or on a disputed
    claim (states_parties.yaml, section `areas`): the Ionian Sea between 6 and 12 nm is Greece's
    only from 2021; the Aegean between 6 and 10 nm is high seas on the recorded reading and
    Greek airspace on Greece's; the Ilemi Triangle is Kenya's, and South Sudan's on its claim."""

    held: bool  # the recorded reading: the feature's state holds the area (False: it only claims it)
    held_from: dt.date | None  # held only from this date (before it: as if `held` were False)
    reason: str  # quoted where the area is not the state's on the date: why, and what it is then
    sources: Sources
    other_iso3: str | None = None  # the other reading: the area is this state's (None: there is none)
    other_reason: str | None = None
    other_sources: Sources = ()
    why_chosen: str | None = None
    other: "Territory | None" = None  # the other reading's territory, joined on load


class Territory(NamedTuple):
    """A land-and-territorial-sea area with the treaty dates that apply to it.

    Identity comes from the geometry file, everything else from states_parties.yaml, joined on
    load: a dependency takes its sovereign's dates through its application record."""

    iso3: str
    iso2: str
    name: str
    sovereign: str
    territory: str | None  # label of a sub-area (e.g. "Crimea"), None for the main feature
    signed: dt.date | None
    deposited: dt.date | None
    entry_into_force: dt.date | None
    withdrawal_notified: dt.date | None
    withdrawal_revoked: dt.date | None
    withdrawal_effective: dt.date | None
    application: str | None  # None for states; integral / extended / excluded / unknown for dependencies
    sources: Sources
    control_note: str | None
    reason: str | None = None  # written for readers: how the Statute reaches this territory, or its status
    official_name: str | None = None
    feature_index: int = -1
    kind: str = "state"  # state, dependency, or area (a sub-area drawn apart, e.g. Crimea)
    confidence: str = "high"
    alternative: Reading | None = None
    succession: bool = False
    # A state's stated (lower) confidence concerns its withdrawal facts: before the first of them
    # its answers rest on the rest of the record, as strong as its sources.
    uncertain_from: dt.date | None = None
    sourced_confidence: str = "high"
    local: str | None = None  # the local facts file (--facts) its record came from
    evidence: tuple[tuple[str, Evidence], ...] = ()  # (fact, its sources): see EVIDENCE_FACTS
    withdrawal_announced: dt.date | None = None  # an announced withdrawal no notification followed
    standing: Standing | None = None  # an area held from a date, or disputed between readings

    def bound(self, fact: str) -> Evidence | None:
        return next((found for name, found in self.evidence if name == fact), None)

    def facts_on(self, on: dt.date) -> list[str]:
        """The facts an answer on this date rests on: entry into force (and application to a
        territory), then a withdrawal notified by then, then its revocation."""
        if self.kind == "dependency" and self.entry_into_force is None:
            return ["application"]  # the ratification does not reach it: its application alone decides
        facts = ["entry_into_force", "application"]
        if self.withdrawal_notified and self.withdrawal_notified <= on:
            facts.append("withdrawal")
        if self.withdrawal_revoked and self.withdrawal_revoked <= on:
            facts.append("revocation")
        return facts

    def _unbound_on(self, on: dt.date) -> bool:
        """Whether a fact the answer rests on has no sources of its own (beyond 'application' for a
        state, which has none to bind)."""
        facts = [f for f in self.facts_on(on) if f != "application" or self.kind == "dependency"]
        return any(self.bound(fact) is None for fact in facts)

    def confidence_on(self, on: dt.date) -> str:
        """The weakest confidence of the facts an answer on this date rests on: each bound fact's
        own, and the record's for any fact it binds no sources to."""
        bound = [found.confidence for fact in self.facts_on(on) if (found := self.bound(fact)) is not None]
        if not bound or self._unbound_on(on):
            if self.uncertain_from is not None and on < self.uncertain_from:
                bound.append(self.sourced_confidence)
            else:
                bound.append(self.confidence)
        return max(bound, key=("high", "medium", "low").index)

    def sources_on(self, on: dt.date) -> Sources:
        """The sources bound to the facts an answer on this date rests on, and the record's
        sources for any fact it binds none to."""
        bound = [url for fact in self.facts_on(on) if (found := self.bound(fact)) for url in found.sources]
        if not bound or self._unbound_on(on):
            bound.extend(self.sources)
        return tuple(dict.fromkeys(bound))

    @property
    def label(self) -> str:
        return f"{self.name} ({self.territory})" if self.territory else self.name


class Warrant(NamedTuple):
    issued: dt.date | None
    public: dt.date | None
    crimes: tuple[str, ...]
    note: str | None = None
    # Issued under seal on a day the Court has not given: on or after issued_from (None: unknown),
    # on or before issued_by (the public date when nothing earlier is stated).
    issued_from: dt.date | None = None
    issued_by: dt.date | None = None

    @property
    def latest_issue(self) -> dt.date | None:
        """The day by which the warrant certainly existed."""
        return self.issued or self.issued_by or self.public

    @property
    def earliest_issue(self) -> dt.date | None:
        """The first day the warrant may have existed (None: any day before latest_issue)."""
        return self.issued or self.issued_from


class Ruling(NamedTuple):
    """A court decision (or a government's stated position) quoted in answers, never after its date."""

    date: dt.date
    body: str
    holding: str  # one sentence for readers
    sources: Sources
    state: str | None = None  # the state the decision concerned
    office: str | None = None  # immunity rulings: the office type they addressed
    side: str | None = None  # contested law: the reading the decision supports


class Office(NamedTuple):
    """An office a subject held, typed so immunity context follows the office on the stop's date."""

    kind: str  # head_of_state, head_of_government, minister
    title: str
    start: dt.date | None  # None: held since before any warrant
    end: dt.date | None  # None: still held
    sources: Sources

    def held_on(self, on: dt.date) -> bool:
        return (self.start is None or self.start <= on) and (self.end is None or on < self.end)


class Subject(NamedTuple):
    id: str
    name: str
    aliases: tuple[str, ...]
    nationality: str
    position: str | None
    situation: str
    case: str | None
    warrants: tuple[Warrant, ...]
    status: str
    status_date: dt.date | None
    status_note: str | None
    sources: Sources
    offices: tuple[Office, ...] = ()
    proceedings_ended: dt.date | None = None  # deceased: when a chamber ended the proceedings
    # deceased: the report of the death (its first source is named) and the most it can carry
    death_sources: Sources = ()
    death_confidence: str = "medium"
    immunity_rulings: tuple[Ruling, ...] = ()  # joined on load: rulings on the offices held
    local: str | None = None  # the local facts file (--facts) its record came from

    def office_on(self, on: dt.date) -> Office | None:
        return next((office for office in self.offices if office.held_on(on)), None)


class Aircraft(NamedTuple):
    """A government aircraft a source ties to a subject: lets a track name its aircraft."""

    registration: str
    hex: str | None  # ICAO 24-bit address, lower case, when a source gives it
    type: str | None
    operator: str | None
    subject: str
    sources: Sources
    confidence: str = "medium"


class UnscReferral(NamedTuple):
    resolution: str
    date: dt.date
    states_bound: tuple[str, ...]


class Declaration(NamedTuple):
    """An Article 12(3) declaration accepting the Court's jurisdiction without ratifying."""

    state: str
    lodged: dt.date
    period_from: dt.date | None
    period_to: dt.date | None


class ContestedLaw(NamedTuple):
    """Art. 127(2) for one former party where chambers and the state read the law differently:
    both readings, the chosen one first, with the decisions on each side."""

    state: str
    level: str  # the chosen reading's level (continuing or none)
    reason: str
    alternative_level: str
    alternative_reason: str
    why_chosen: str
    rulings: tuple[Ruling, ...]
    sources: Sources
    confidence: str = "medium"


class Situation(NamedTuple):
    id: str
    name: str
    icc_code: str | None
    investigation_opened: dt.date | None
    referral: str | None
    unsc_referral: UnscReferral | None
    article_12_3: tuple[Declaration, ...]
    sources: Sources
    note: str | None = None
    contested_127_2: tuple[ContestedLaw, ...] = ()


class Finding(NamedTuple):
    number: str | None
    date: dt.date | None
    body: str | None
    result: str | None
    referral: str | None
    note: str | None = None
    sources: Sources = ()  # where the finding itself is reported, if not in the episode's sources
    confidence: str = "high"  # how well the finding is supported (never more than the episode)


class Precedent(NamedTuple):
    id: str
    subject: str
    state: str
    start: dt.date
    end: dt.date | None
    event: str
    outcome: str
    finding: Finding | None
    sources: Sources
    note: str | None = None  # research note, never shown
    confidence: str = "high"  # how well the episode (and its stated cause) is supported
    local: str | None = None  # the local facts file (--facts) its record came from


class Event(NamedTuple):
    """One dated fact in a state's timeline, with its evidence."""

    date: dt.date
    kind: str  # signed, deposited, entry_into_force, withdrawal_*, announcement, article_12_3, ...
    text: str  # for readers
    sources: Sources
    confidence: str = "high"


class Dataset:
    """Everything loaded, with the lookups every command needs. A plain class, not a dataclass:
    every run makes it, and a dataclass (with the `dataclasses` module, imported for it alone)
    cost a check's start-up about 1.1 ms. `replace` makes a changed copy, as dataclasses.replace
    did; equality compares the fields."""

    FIELDS = (
        "territories",
        "subjects",
        "situations",
        "precedents",
        "warrants_as_of",
        "precedents_as_of",
        "territories_path",
        "source_tiers",
        "state_events",
        "aircraft",
        "by_iso3",
        "by_iso2",
    )

    def __init__(
        self,
        territories: list[Territory],
        subjects: list[Subject],
        situations: dict[str, Situation],
        precedents: list[Precedent],
        warrants_as_of: dt.date,
        precedents_as_of: dt.date,
        territories_path: str = "",
        source_tiers: dict[str, str] | None = None,  # host -> tier, for reading the raw files
        state_events: dict[str, list[Event]] | None = None,  # iso3 -> announcements, other events
        aircraft: list[Aircraft] | None = None,
        by_iso3: dict[str, Territory] | None = None,
        by_iso2: dict[str, Territory] | None = None,
    ) -> None:
        self.territories = territories
        self.subjects = subjects
        self.situations = situations
        self.precedents = precedents
        self.warrants_as_of = warrants_as_of
        self.precedents_as_of = precedents_as_of
        self.territories_path = territories_path
        self.source_tiers = {} if source_tiers is None else source_tiers
        self.state_events = {} if state_events is None else state_events
        self.aircraft = [] if aircraft is None else aircraft
        self.by_iso3 = {} if by_iso3 is None else by_iso3
        self.by_iso2 = {} if by_iso2 is None else by_iso2
        self.reindex()

    def reindex(self) -> None:
        """Fill the code lookups from the territories (after records were replaced: local facts)."""
        self.__dict__.pop("_precedents_by_state", None)  # records replaced (local facts): index again
        for territory in self.territories:
            if territory.territory is None:
                self.by_iso3.setdefault(territory.iso3, territory)
                self.by_iso2.setdefault(territory.iso2, territory)

    def replace(self, **changes: Any) -> "Dataset":
        """A copy with some fields changed (the others shared, as dataclasses.replace shares them)."""
        return Dataset(**{name: getattr(self, name) for name in self.FIELDS} | changes)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.FIELDS)

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value: unhashable, as the dataclass was

    def __repr__(self) -> str:
        return f"Dataset({', '.join(f'{name}={getattr(self, name)!r}' for name in self.FIELDS)})"

    @property
    def as_of(self) -> dt.date:
        """The oldest of the datasets' as-of dates: nothing later can be vouched for."""
        return min(self.warrants_as_of, self.precedents_as_of)

    def subject(self, subject_id: str) -> Subject:
        return next(s for s in self.subjects if s.id == subject_id)

    def precedents_in(self, iso3: str) -> list[Precedent]:
        """Episodes in a state, newest first (indexed by state on first use: a batch asks for
        every row)."""
        index = self.__dict__.get("_precedents_by_state")
        if index is None:
            index = {}
            for precedent in sorted(self.precedents, key=lambda p: (p.start, p.id), reverse=True):
                index.setdefault(precedent.state, []).append(precedent)
            self.__dict__["_precedents_by_state"] = index
        return list(index.get(iso3, ()))
