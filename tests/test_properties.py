"""Properties that must hold for any input: the parsers never crash on text, dates are strict,
and the legal engine's invariants hold over the real data for every subject and territory."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from icc_travel import law
from icc_travel.data.models import Dataset
from icc_travel.dates import parse_date
from icc_travel.engine.check import check_itinerary
from icc_travel.engine.itinerary import StopSpec, parse_stop
from icc_travel.errors import InputError
from icc_travel.geo.places import PlaceResolver, parse_coordinates
from icc_travel.text import normalise

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
DAYS = st.dates(min_value=dt.date(1998, 7, 17), max_value=dt.date(2030, 12, 31))
TODAY = dt.date(2026, 1, 1)


@SETTINGS
@given(st.text())
def test_parse_date_accepts_only_real_iso_dates(text: str) -> None:
    try:
        day = parse_date(text)
    except InputError:
        assert not re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", text) or not _exists(text.strip())
    else:
        assert day.isoformat() == text.strip()


@SETTINGS
@given(
    st.text()
    | st.text(alphabet=st.characters(max_codepoint=0x17F))
    | st.sampled_from(["Côte d'Ivoire", "\u1e9e", "\u212a", "\uff2d\uff4e"])
)
@pytest.mark.dateless
def test_normalise_is_the_full_unicode_fold_for_every_text(text: str) -> None:
    """ASCII skips `unicodedata` (see text.normalise): the key must be what the full path gives."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("&", " and ")
    assert normalise(text) == " ".join(re.sub(r"[^\w]+", " ", stripped).replace("_", " ").split())


def _exists(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


@SETTINGS
@given(DAYS)
def test_parse_date_round_trips(day: dt.date) -> None:
    assert parse_date(day.isoformat()) == day


@SETTINGS
@given(st.text(), DAYS)
def test_parse_stop_never_fails_otherwise(text: str, default: dt.date) -> None:
    try:
        stop = parse_stop(text, default)
    except InputError as error:
        assert "\n" not in str(error)
    else:
        assert stop.date == default or "@" in text
        assert stop.place in text


@SETTINGS
@given(st.text(alphabet="@-0123456789MNRU ", max_size=20), DAYS)
def test_a_stop_with_a_date_keeps_the_place_before_the_last_at(text: str, default: dt.date) -> None:
    try:
        stop = parse_stop(text, default)
    except InputError:
        return
    place, at, date_text = text.rpartition("@")
    if at:
        assert stop.place == place and stop.date.isoformat() == date_text.strip()


@SETTINGS
@given(st.floats(-90, 90), st.floats(-180, 180))
@pytest.mark.dateless
def test_coordinates_in_range_parse_back(lat: float, lon: float) -> None:
    text = f"{lat:.7f}, {lon:.7f}"  # decimal degrees, as the README asks
    assert parse_coordinates(text) == (float(f"{lat:.7f}"), float(f"{lon:.7f}"))


@SETTINGS
@given(st.floats(allow_nan=True, allow_infinity=True), st.floats(allow_nan=True, allow_infinity=True))
@pytest.mark.dateless
def test_coordinates_out_of_range_are_refused(lat: float, lon: float) -> None:
    inside = abs(float(f"{lat:.7f}")) <= 90 and abs(float(f"{lon:.7f}")) <= 180  # False for NaN, infinities
    try:
        parse_coordinates(f"{lat:.7f},{lon:.7f}")
    except InputError:
        assert not inside
    else:
        assert inside


@SETTINGS
@given(st.text(max_size=40))
def test_place_resolution_answers_or_explains(resolver: PlaceResolver, text: str) -> None:
    try:
        place = resolver.resolve(text)
    except InputError as error:
        assert str(error) and "\n" not in str(error)
    else:
        assert place.territory is None or place.territory.iso3


def _subjects_with_warrants(dataset: Dataset) -> list:
    return [s for s in dataset.subjects if law.first_warrant(s) is not None]


@SETTINGS
@given(st.data())
def test_before_the_first_warrant_the_level_is_none_everywhere(dataset: Dataset, data: st.DataObject) -> None:
    subject = data.draw(st.sampled_from(_subjects_with_warrants(dataset)))
    first = law.first_warrant(subject)
    assert first is not None
    day = data.draw(st.dates(max_value=first - dt.timedelta(days=1)))
    territory = data.draw(st.sampled_from(dataset.territories))
    situation = dataset.situations[subject.situation]
    for kind in law.KINDS:
        decided = law.obligation(subject, territory, day, situation, kind)
        assert (decided.level, decided.basis) == (law.NONE, "no_warrant")


@SETTINGS
@given(st.data())
def test_a_party_in_force_must_arrest_a_subject_at_large(dataset: Dataset, data: st.DataObject) -> None:
    at_large = [s for s in _subjects_with_warrants(dataset) if s.status == "at_large"]
    subject = data.draw(st.sampled_from(at_large))
    first = law.first_warrant(subject)
    day = data.draw(st.dates(min_value=first, max_value=dataset.as_of))
    # a party's territory held on the date (an area only claimed, or held from a later date, is not)
    parties = [t for t in dataset.territories if law.statute_in_force(t, day) and law.held(t, day)]
    territory = data.draw(st.sampled_from(parties))
    decided = law.obligation(subject, territory, day, dataset.situations[subject.situation])
    assert (decided.level, decided.basis) == (law.ARREST, "state_party")
    assert decided.sources and decided.reasons


@SETTINGS
@given(st.data())
def test_every_answer_is_a_known_level_and_basis_with_sources(dataset: Dataset, data: st.DataObject) -> None:
    subject = data.draw(st.sampled_from(dataset.subjects))
    territory = data.draw(st.sampled_from([*dataset.territories, None]))
    day = data.draw(DAYS)
    kind = data.draw(st.sampled_from(law.KINDS))
    decided = law.obligation(subject, territory, day, dataset.situations[subject.situation], kind)
    assert decided.level in law.LEVELS and decided.level != law.OVERFLIGHT
    assert decided.basis in law.BASES
    assert decided.reasons
    if decided.level != law.NONE:
        assert decided.sources


@pytest.fixture(scope="module")
def codes(dataset: Dataset) -> list[str]:
    return sorted(dataset.by_iso3)


@SETTINGS
@given(st.data())
def test_results_do_not_depend_on_stop_order(
    dataset: Dataset, resolver: PlaceResolver, codes: list[str], data: st.DataObject
) -> None:
    subject = data.draw(st.sampled_from(dataset.subjects))
    stops = data.draw(
        st.lists(st.builds(StopSpec, st.sampled_from(codes), DAYS, st.sampled_from(law.KINDS)), min_size=1, max_size=6)
    )
    order = data.draw(st.permutations(range(len(stops))))
    forward = check_itinerary(dataset, subject, stops, resolver, legs=False)
    shuffled = check_itinerary(dataset, subject, [stops[i] for i in order], resolver, legs=False)
    assert [shuffled.stops[order.index(i)] for i in range(len(stops))] == list(forward.stops)
    assert forward.worst() == shuffled.worst()


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.sampled_from(["", "=1", "-1.5,2.25", "+4", "@x,1", "12.5,-3", "AKT", 'a"b', "x\ny", "-", "\t"]),
            st.text(alphabet='=+-@,.0123456789ab "\r\n\t', max_size=8),
        ),
        max_size=12,
    )
)
@pytest.mark.dateless
def test_batch_csv_column_fast_path_quotes_as_cell_by_cell(values: list) -> None:
    """The column-at-once CSV quoting (formula neutralising included) gives what quoting each cell
    does, for any column: empty cells, formulas, coordinates, quotes and line breaks."""
    from icc_travel.cli.batch_output import _quoted_column, _quoted_column_cells

    assert _quoted_column(list(values)) == _quoted_column_cells(list(values))


@SETTINGS
@given(
    st.lists(
        st.lists(
            st.text(alphabet=st.characters(blacklist_characters='\n\r"', blacklist_categories=("Cs",))), min_size=2
        ),
        min_size=1,
        max_size=20,
    ),
    st.sampled_from([",", ";", "\t"]),
)
@pytest.mark.dateless
def test_a_block_split_at_its_delimiters_is_what_csv_reads(records: list[list[str]], delimiter: str) -> None:
    """The fast reading of a CSV block (batch_input._split_columns) gives csv.reader's columns
    whenever it takes the block, and leaves it to csv.reader otherwise (a NUL or U+0001, which
    the split uses as markers, a line with another number of fields). A header has two columns at least (subject, place)."""
    import csv
    import io

    from icc_travel.engine.batch_input import _split_columns

    width = len(records[0])
    text = "".join(delimiter.join(record) + "\n" for record in records)
    columns = _split_columns(text, delimiter, width)
    try:
        read = list(csv.reader(io.StringIO(text), delimiter=delimiter, strict=True))
    except csv.Error:
        assert columns is None
        return
    if columns is not None:
        assert [list(column) for column in zip(*read, strict=True)] == columns
    else:
        assert "\x00" in text or "\x01" in text or any(len(record) != width for record in read)


def _csv_columns(text: str, delimiter: str) -> list[list[str]] | None:
    """csv.reader's columns of a block (strict, as the batch reads), or None if it refuses it."""
    import csv
    import io

    try:
        read = list(csv.reader(io.StringIO(text), delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    if len({len(record) for record in read}) > 1:
        return [["records of different lengths"]]
    return [list(column) for column in zip(*read, strict=True)]


PIECES = ("a", " ", '"', '""', '"a,b"', '"a;\tb"', '"a,\nb"', ",", ";", "\t", "\n", "\n", "\r", "\x00", "\x01")


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), max_size=30),
    st.sampled_from([",", ";", "\t"]),
    st.integers(min_value=2, max_value=4),
)
@example(["a", ",", '"a,\nb"', ",", "a"], ",", 3)  # a quoted cell over two lines
@example(['"a,b"', "a", ",", "a"], ",", 2)  # text after a closing quote
@example(["a", '"a,b"', ",", "a"], ",", 2)  # a quote inside a field
@example(['"a,b"', ",", '""', '"a,b"'], ",", 2)  # a doubled quote
@pytest.mark.dateless
def test_any_text_split_with_its_quotes_is_what_csv_reads(pieces: list[str], delimiter: str, width: int) -> None:
    """Whatever the text (quotes anywhere, doubled, unclosed, after a field, cells over two lines):
    when the fast reading of a block takes it, its columns are csv.reader's, a record per line;
    when csv.reader refuses the text, the fast reading does too."""
    from icc_travel.engine.batch_input import _split_columns

    text = "".join(pieces) + "\n"  # a block is whole lines
    columns = _split_columns(text, delimiter, width)
    read = _csv_columns(text, delimiter)
    if columns is not None:
        assert read == columns
        assert len(columns[0]) == text.count("\n")  # a record per line: rows are numbered by their line


CELL = st.text(alphabet=st.characters(blacklist_characters='\n\r"\x00\x01', blacklist_categories=("Cs",)), max_size=8)


@SETTINGS
@given(
    st.lists(st.lists(st.tuples(CELL, st.booleans()), min_size=3, max_size=3), min_size=1, max_size=20),
    st.sampled_from([",", ";", "\t"]),
)
@pytest.mark.dateless
def test_quoted_cells_are_split_as_csv_reads_them(records: list[list[tuple[str, bool]]], delimiter: str) -> None:
    """Rows as spreadsheets write them, some cells quoted ("48.85,2.35", delimiters inside): the
    fast reading takes every block whose unquoted cells hold no delimiter, with csv.reader's
    columns."""
    from icc_travel.engine.batch_input import _split_columns

    text = "".join(
        delimiter.join(f'"{cell}"' if quoted else cell for cell, quoted in record) + "\n" for record in records
    )
    columns = _split_columns(text, delimiter, 3)
    plain = all(quoted or delimiter not in cell for record in records for cell, quoted in record)
    assert (columns is not None) == plain
    if columns is not None:
        assert columns == _csv_columns(text, delimiter)
