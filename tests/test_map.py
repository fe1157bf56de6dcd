"""`icc-travel map`: colours where the countries are, legend and title present."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

pytest.importorskip("geopandas")
pytest.importorskip("matplotlib")

from icc_travel.geo.mapping import COLOURS, render_map


def rgb(hex_colour: str) -> tuple[float, float, float]:
    return tuple(int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


def draw(dataset, subject_id: str, day: dt.date, stops, output: Path):
    """The map as the command draws it: the engine decides each territory's level, geo draws."""
    from icc_travel.engine.tables import territory_levels, why_no_obligation

    subject = dataset.subject(subject_id)
    levels = territory_levels(dataset, subject, day)
    return render_map(dataset, subject, day, levels, why_no_obligation(subject, day, levels), stops, output)


def close(pixel, colour: str) -> bool:
    return all(abs(float(a) - b) < 0.03 for a, b in zip(pixel[:3], rgb(colour), strict=True))


def test_png_colours_by_level(dataset, tmp_path: Path) -> None:
    import matplotlib.image

    output = tmp_path / "putin.png"
    info = draw(dataset, "putin", dt.date(2024, 9, 3), [], output)
    image = matplotlib.image.imread(output)
    assert image.shape[:2] == (info.height, info.width)
    for lon, lat, level in [
        (103.0, 46.5, "arrest"),
        (100.0, 62.0, "none"),
        (-55.0, -10.0, "arrest"),
        (-100.0, 40.0, "none"),
    ]:
        column, row = info.pixel(lon, lat)
        assert close(image[row, column], COLOURS[level]), (lon, lat, level, image[row, column])


def test_svg_has_title_legend_and_attribution(invoke, tmp_path: Path) -> None:
    trip = tmp_path / "trip.yaml"
    trip.write_text("subject: putin\nstops:\n  - {place: airport:ULN, date: 2024-09-03}\n")
    output = tmp_path / "map.svg"
    result = invoke("map", "--subject", "putin", "--on", "2024-09-03", "--itinerary", str(trip), "-o", str(output))
    assert result.exit_code == 0, result.stderr
    svg = output.read_text()
    for text in (
        "Obligation to arrest Vladimir Vladimirovich Putin on 2024-09-03",
        "Legend",
        "Obligation to arrest",
        "No obligation",
        "Itinerary stop (number · date)",
        "OpenStreetMap",
        "Data as of",
    ):
        assert text in svg, text


def test_map_rejects_other_extensions(invoke, tmp_path: Path) -> None:
    result = invoke("map", "--subject", "putin", "-o", str(tmp_path / "map.jpg"))
    assert result.exit_code == 2 and ".png or .svg" in result.stderr


def test_legs_are_drawn_along_the_great_circle_and_split_at_180(dataset, tmp_path: Path) -> None:
    import matplotlib.image

    from icc_travel.engine.check import check_itinerary
    from icc_travel.engine.itinerary import StopSpec
    from icc_travel.geo.mapping import LEG_COLOUR
    from icc_travel.geo.routes import geodesic_path

    day = dt.date(2024, 9, 3)
    specs = [StopSpec(place, day, "visit") for place in ("airport:VKO", "airport:ULN", "airport:NAN", "airport:HNL")]
    stops = check_itinerary(dataset, dataset.subject("putin"), specs, legs=False).stops
    output = tmp_path / "legs.png"
    info = draw(dataset, "putin", day, stops, output)
    image = matplotlib.image.imread(output)

    def drawn_near(lon: float, lat: float) -> bool:
        column, row = info.pixel(lon, lat)
        window = image[row - 3 : row + 4, column - 3 : column + 4]
        return any(close(pixel, LEG_COLOUR) for line in window for pixel in line)

    for start, end in [(stops[0], stops[1]), (stops[2], stops[3])]:
        runs = geodesic_path(start.place.lat, start.place.lon, end.place.lat, end.place.lon, spacing_km=200)
        inner = [(lon, lat) for lons, lats in runs for lon, lat in list(zip(lons, lats, strict=True))[2:-2]]
        assert sum(drawn_near(lon, lat) for lon, lat in inner) >= 0.8 * len(inner)
    # Nadi-Honolulu crosses the antimeridian: two runs, and nothing drawn across the map's middle
    assert len(geodesic_path(stops[2].place.lat, stops[2].place.lon, stops[3].place.lat, stops[3].place.lon)) == 2
    assert not drawn_near(0.0, -5.0)


def test_a_grey_map_says_why_and_stops_carry_their_dates(invoke, tmp_path: Path) -> None:
    grey = tmp_path / "grey.svg"
    assert invoke("map", "--subject", "putin", "--on", "2022-01-01", "-o", str(grey)).exit_code == 0
    text = grey.read_text()
    assert "No territory has an obligation" in text and "first warrant issued 2023-03-17" in text
    trip = tmp_path / "trip.yaml"
    trip.write_text("stops:\n  - {place: airport:SVO, date: 2024-09-02}\n  - {place: airport:ULN, date: 2024-09-03}\n")
    drawn = tmp_path / "trip.svg"
    assert (
        invoke("map", "--subject", "putin", "--on", "2024-09-03", "--itinerary", str(trip), "-o", str(drawn)).exit_code
        == 0
    )
    svg = drawn.read_text()
    assert "1 · 2024-09-02" in svg and "2 · 2024-09-03" in svg
    assert "each stop is labelled with its own date" in svg
    assert "No territory has an obligation" not in svg


def test_a_recorded_track_is_drawn_with_its_legend(invoke, tmp_path: Path) -> None:
    example = Path(__file__).resolve().parent.parent / "examples" / "synthetic_track_tlv_west.json"
    drawn = tmp_path / "track.svg"
    result = invoke("map", "--subject", "netanyahu", "--on", "2025-01-01", "--track", str(example), "-o", str(drawn))
    assert result.exit_code == 0, result.stderr
    svg = drawn.read_text()
    assert "Recorded track over a party" in svg and "Gap in the record" in svg


def test_a_journey_is_mapped_on_the_day_it_began_unless_told(invoke, tmp_path: Path) -> None:
    """Without --on, a recorded track is mapped on its first day and an itinerary on its first
    stop's day, as `report` maps them: coloured on the day the map is drawn, a state that has
    left the Statute since (the Philippines, from 17 March 2019) would contradict the track's own levels."""
    example = Path(__file__).resolve().parent.parent / "examples" / "synthetic_track_tlv_west.json"
    drawn = tmp_path / "track.svg"
    assert invoke("map", "--subject", "netanyahu", "--track", str(example), "-o", str(drawn)).exit_code == 0
    assert "Benjamin Netanyahu on 2025-01-01" in drawn.read_text()
    trip = tmp_path / "trip.yaml"
    trip.write_text("stops:\n  - {place: airport:SVO, date: 2024-09-02}\n  - {place: airport:ULN, date: 2024-09-03}\n")
    assert invoke("map", "--subject", "putin", "--itinerary", str(trip), "-o", str(drawn)).exit_code == 0
    assert "Vladimir Vladimirovich Putin on 2024-09-02" in drawn.read_text()
    told = ("--on", "2026-06-03")
    assert invoke("map", "--subject", "netanyahu", "--track", str(example), *told, "-o", str(drawn)).exit_code == 0
    assert "Benjamin Netanyahu on 2026-06-03" in drawn.read_text()
