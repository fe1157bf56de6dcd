"""Warrant subjects as FollowTheMoney entities, so OpenSanctions tooling can consume the data.

Each subject is a `Person` (topics: `crime.war` for the crimes the Court tries, plus `wanted`
while a warrant is outstanding) and each warrant a `Sanction` by the International Criminal
Court. The followthemoney library builds and validates them (an optional extra: it is large and
only this format needs it).
"""

from __future__ import annotations

from typing import Any

from icc_travel.data.models import Dataset, Subject
from icc_travel.errors import InputError

DATASET = "icc-travel"
AUTHORITY = "International Criminal Court"


def subject_entities(dataset: Dataset, subjects: list[Subject]) -> list[dict[str, Any]]:
    try:
        from followthemoney import model
    except ImportError:
        raise InputError("--format ftm needs the followthemoney package: pip install 'icc-travel[ftm]'") from None
    entities = []
    for subject in subjects:
        person = model.make_entity("Person")
        person.make_id(DATASET, subject.id)
        person.add("name", subject.name)
        person.add("alias", [alias for alias in subject.aliases if alias != subject.name])
        nationality = dataset.by_iso3.get(subject.nationality)
        if nationality is not None:
            person.add("nationality", nationality.iso2.lower())
        if subject.position:
            person.add("position", subject.position)
        topics = ["crime.war"] + (["wanted"] if subject.status == "at_large" else [])
        person.add("topics", topics)
        person.add("sourceUrl", [source.url for source in subject.sources])
        person.add("retrievedAt", dataset.warrants_as_of.isoformat())  # the data's as-of date
        if subject.status == "deceased" and subject.status_date:
            person.add("deathDate", subject.status_date.isoformat())
        entities.append(person.to_dict())
        situation = dataset.situations[subject.situation]
        for number, warrant in enumerate(subject.warrants, 1):
            sanction = model.make_entity("Sanction")
            sanction.make_id(DATASET, subject.id, "warrant", str(number))
            sanction.add("entity", person.id)
            sanction.add("authority", AUTHORITY)
            sanction.add("program", situation.name)
            sanction.add("reason", list(warrant.crimes))
            if warrant.issued:
                sanction.add("startDate", warrant.issued.isoformat())
            if warrant.public:
                sanction.add("listingDate", warrant.public.isoformat())
            if subject.status != "at_large" and subject.status_date:
                sanction.add("endDate", subject.status_date.isoformat())
            sanction.add("status", "active" if subject.status == "at_large" else subject.status.replace("_", " "))
            sanction.add(
                "summary", f"ICC arrest warrant, case {subject.case}" if subject.case else "ICC arrest warrant"
            )
            sanction.add("sourceUrl", [source.url for source in subject.sources[:1]])
            sanction.add("retrievedAt", dataset.warrants_as_of.isoformat())
            entities.append(sanction.to_dict())
    return entities
