"""The results of the commands that gather many answers (tracks, screens, tables, points), as
the API returns them and the contract serialises them: typed records, no formatting."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, NamedTuple

from icc_travel.data.models import Aircraft, Subject, Territory

if TYPE_CHECKING:
    from icc_travel import law
    from icc_travel.engine.screen import Watched
    from icc_travel.engine.tables import MatrixRow
    from icc_travel.engine.track import TrackResult


class Departure(NamedTuple):
    """What a leg takes from the stop it starts at: whose trip it is and the day (a batch's
    results carry both too, and stand for it)."""

    subject: Subject
    day: dt.date


class Answer(NamedTuple):
    """One located, dated point's answer: the territory it lies in (None outside every one) and
    the obligation there on that date."""

    territory: Territory | None
    obligation: law.Obligation

    @property
    def level(self) -> str:
        return self.obligation.level

    @property
    def basis(self) -> str:
        return self.obligation.basis

    @property
    def iso3(self) -> str | None:
        return self.territory.iso3 if self.territory is not None else None


class TracksResult(NamedTuple):
    """Recorded tracks analysed for one subject. `subject_from_aircraft` is True when no subject
    was given and the data's aircraft records named it; `warnings` are what the command prints
    on stderr (stale data, positions left out as implausible)."""

    subject: Subject
    tracks: tuple[TrackResult, ...]
    aircraft: tuple[Aircraft | None, ...]  # the data's sourced record of each track's aircraft, if any
    subject_from_aircraft: bool
    stale: str | None  # the tracks are dated after the data's as-of date
    warnings: tuple[str, ...]
    data_as_of: dt.date


class ScreenResult(NamedTuple):
    """A position dataset screened against a watchlist: each watched aircraft found, its track
    analysed for the subject the watchlist ties it to, and the counts `screen` reports."""

    tracks: tuple[tuple[Watched, TrackResult], ...]
    rows_read: int
    positions_kept: int
    positions_refused: dict[str, int]
    aircraft_watched: int
    data_as_of: dt.date


class TableResult(NamedTuple):
    """The obligation in every territory for each subject on one date (`icc-travel table`)."""

    on: dt.date
    subjects: tuple[Subject, ...]
    rows: tuple[MatrixRow, ...]
    data_as_of: dt.date
    warnings: tuple[str, ...]
