"""The shapes of the JSON contract, as types: what `engine/contract.py` returns, field by field.

These `TypedDict`s are the single description of every document the commands print: the
contract's functions are annotated with them, and `scripts/build_schemas.py` turns them into the
JSON Schemas shipped in `icc_travel/schemas/` (the tests check every golden output against them
and that the shipped files are what the types make). A field's vocabulary (`Level`, `Basis`,
`Confidence`, `Tier`, ...) is the enum's values, so a new value is one line in `vocabulary.py`.

Keys that are not Python names (`from`, `to`) use the functional `TypedDict` form. Annotations
are evaluated (no `from __future__ import annotations`), so `NotRequired` marks optional keys.
"""

from typing import Literal, NotRequired, TypedDict

from icc_travel.vocabulary import Basis, Confidence, Level, Outcome, StopKind, SubjectStatus, Tier

# ISO dates and UTC times are strings in JSON: the names say which.
IsoDate = str  # YYYY-MM-DD
UtcTime = str  # YYYY-MM-DDTHH:MM:SSZ


class SourceJSON(TypedDict):
    url: str
    tier: Tier


class DisputeJSON(TypedDict):
    """The other reading of a disputed fact, when it would change the answer."""

    obligation: Level
    basis: Basis
    reading: str
    why_chosen: str
    sources: list[SourceJSON]


class ObligationJSON(TypedDict):
    """The fields every answer carries about its obligation."""

    obligation: Level
    basis: Basis
    reasons: list[str]
    sources: list[SourceJSON]
    confidence: Confidence
    disputed: DisputeJSON | None
    local_facts: list[str]


class CountryJSON(TypedDict):
    iso3: str
    iso2: str | None
    name: str
    territory: str | None  # the sub-area or dependency's own name (Crimea, Greenland)


class SubjectJSON(TypedDict):
    id: str
    name: str
    status: SubjectStatus


class FindingJSON(TypedDict):
    number: str | None
    date: IsoDate | None
    body: str
    result: str
    referral: str | None
    confidence: Confidence
    sources: list[SourceJSON]


class PrecedentJSON(TypedDict):
    id: str
    subject: str
    state: str
    date: IsoDate
    end: IsoDate | None
    event: str
    outcome: Outcome
    confidence: Confidence
    local: str | None
    finding: FindingJSON | None
    sources: list[SourceJSON]


class StopJSON(ObligationJSON):
    input: str
    resolved_as: str | None  # what the input was taken to be: "Kyiv, UA", an airport's name, an area
    date: IsoDate
    kind: StopKind
    country: CountryJSON | None
    precedents: list[PrecedentJSON]
    after_data_as_of: bool


class OverflownJSON(ObligationJSON):
    iso3: str
    name: str
    km: float


LegJSON = TypedDict(
    "LegJSON",
    {"from": str, "to": str, "distance_km": float, "overflown": list[OverflownJSON]},
)


class CheckJSON(TypedDict):
    """`check --format json`."""

    subject: SubjectJSON
    data_as_of: IsoDate
    stops: list[StopJSON]
    legs: list[LegJSON]
    warnings: list[str]


class CountryOrNoneJSON(TypedDict):
    """A track's place outside every territory keeps the keys, each null."""

    iso3: str | None
    iso2: str | None
    name: str | None
    territory: str | None


class PlaceJSON(TypedDict):
    iso3: str | None
    name: str | None
    country: CountryOrNoneJSON


class SuspectJSON(TypedDict):
    suspect: Literal[True]
    why: str


class SegmentJSON(PlaceJSON, ObligationJSON):
    entered: UtcTime | None
    left: UtcTime | None
    km: float
    airborne: bool
    inferred: bool
    quality: NotRequired[SuspectJSON]  # only where inferred across positions judged implausible


class LandingJSON(PlaceJSON, ObligationJSON):
    time: UtcTime
    lat: float
    lon: float
    airport: str | None
    airport_km: float | None
    inferred: bool


class FlightEndJSON(TypedDict):
    recorded: bool
    airport: str | None
    time: UtcTime | None
    iso3: str | None
    inferred: bool


class FlightJSON(TypedDict):
    number: int
    departure: FlightEndJSON
    arrival: FlightEndJSON
    start: UtcTime
    end: UtcTime
    km: float
    segments: list[int]


GapJSON = TypedDict(
    "GapJSON",
    {
        "from": UtcTime,
        "to": UtcTime,
        "minutes": float,
        "quality": NotRequired[SuspectJSON],
        "landed_unseen": NotRequired[bool],  # hours of silence, too little ground covered to have stayed up
    },
)
SuspectStretchJSON = TypedDict(
    "SuspectStretchJSON",
    {"from": UtcTime, "to": UtcTime, "minutes": float, "why": str},
)


class QualityJSON(TypedDict):
    filter: str
    suspect_positions: int
    suspect: list[SuspectStretchJSON]
    ground_flags_corrected: int


class KnownAircraftJSON(TypedDict):
    registration: str | None
    type: str | None
    operator: str | None
    subject: str
    confidence: Confidence
    sources: list[SourceJSON]
    caveat: str


class AircraftJSON(TypedDict):
    hex: str | None
    registration: str | None
    callsign: str | None
    known: KnownAircraftJSON | None


class TrackJSON(TypedDict):
    file: str
    aircraft: AircraftJSON
    start: UtcTime
    end: UtcTime
    points: int
    segments: list[SegmentJSON]
    landings: list[LandingJSON]
    flights: list[FlightJSON]
    gaps: list[GapJSON]
    quality: QualityJSON


class TracksJSON(TypedDict):
    """`track --format json`."""

    subject: SubjectJSON
    data_as_of: IsoDate
    tracks: list[TrackJSON]
    warnings: list[str]


class TableObligationJSON(TypedDict):
    obligation: Level
    basis: Basis


class TableTerritoryJSON(TypedDict):
    iso3: str
    iso2: str | None
    name: str
    territory: str | None
    precedents: int
    obligations: dict[str, TableObligationJSON]  # subject id -> its obligation


class TableJSON(TypedDict):
    """`table --format json`."""

    date: IsoDate
    data_as_of: IsoDate
    warnings: list[str]
    subjects: list[SubjectJSON]
    territories: list[TableTerritoryJSON]


class BatchResultJSON(ObligationJSON):
    subject: str
    date: IsoDate
    kind: StopKind
    country: CountryJSON | None
    precedents: list[PrecedentJSON]
    after_data_as_of: bool


class BatchAnswerRowJSON(BatchResultJSON):
    """A row of `batch --format jsonl` that was answered."""

    file: str
    line: int
    itinerary: str | None
    input: str | None
    # a named place as taken ("Kyiv, UA", an airport's name, an area); None for codes and coordinates
    resolved_as: str | None
    leg: LegJSON | None
    error: None


class BatchErrorRowJSON(TypedDict):
    """A row of `batch` that could not be answered: where it was and why."""

    file: str
    line: int
    itinerary: str | None
    subject: str | None
    input: str | None
    error: str


BatchRowJSON = BatchAnswerRowJSON | BatchErrorRowJSON


class BatchSummaryJSON(TypedDict):
    rows: int
    results: int
    errors: int
    levels: dict[str, int]
    data_as_of: IsoDate
    warnings: list[str]


class BatchJSON(TypedDict):
    """`batch --format json`."""

    rows: list[BatchRowJSON]
    summary: BatchSummaryJSON


class ScreenSegmentRowJSON(SegmentJSON):
    """A row of `screen --format jsonl`: a segment of a watched aircraft's track."""

    hex: str
    registration: str | None
    subject: str
    record: Literal["segment"]


class ScreenLandingRowJSON(LandingJSON):
    """A row of `screen --format jsonl`: a landing of a watched aircraft."""

    hex: str
    registration: str | None
    subject: str
    record: Literal["landing"]


ScreenRowJSON = ScreenSegmentRowJSON | ScreenLandingRowJSON


class ScreenSummaryJSON(TypedDict):
    rows_read: int
    positions_kept: int
    positions_refused: dict[str, int]
    aircraft_watched: int
    aircraft_found: int
    data_as_of: IsoDate


class ScreenJSON(TypedDict):
    """`screen --format json`."""

    rows: list[ScreenRowJSON]
    summary: ScreenSummaryJSON


class WarrantJSON(TypedDict):
    issued: IsoDate | None
    public: IsoDate | None
    crimes: list[str]
    note: str | None


class SituationJSON(TypedDict):
    id: str
    name: str


class SubjectProfileJSON(TypedDict):
    """`subject NAME --format json`."""

    id: str
    name: str
    aliases: list[str]
    nationality: str | None
    position: str | None
    situation: SituationJSON
    case: str | None
    warrants: list[WarrantJSON]
    status: SubjectStatus
    status_date: IsoDate | None
    status_note: str | None
    territories_by_obligation: dict[str, str | int]  # "date" and a count per level
    precedents: list[PrecedentJSON]
    sources: list[SourceJSON]
    data_as_of: IsoDate


# The top-level documents: schema file name -> type (scripts/build_schemas.py writes one each).
DOCUMENTS = {
    "check": CheckJSON,
    "track": TracksJSON,
    "table": TableJSON,
    "batch": BatchJSON,
    "batch-row": BatchRowJSON,
    "screen": ScreenJSON,
    "screen-row": ScreenRowJSON,
    "subject": SubjectProfileJSON,
}
