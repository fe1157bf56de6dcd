"""Loading and `data validate|info`: broken data stops the run with file and entry named."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from icc_travel.data import store
from icc_travel.data.validation import validate_all
from icc_travel.errors import DataError


def test_bundled_data_is_valid() -> None:
    from icc_travel.data import paths

    assert validate_all(paths.data_dir()) == []


def test_data_validate_command(invoke) -> None:
    result = invoke("data", "validate")
    assert result.exit_code == 0 and result.stdout.startswith("ok:")


def test_data_info_json(invoke) -> None:
    info = json.loads(invoke("data", "info", "--on", "2025-07-08", "--format", "json").stdout)
    assert info["counts"]["parties_in_force"] == 125
    assert info["counts"]["states_ever_party"] == 127
    assert sum(info["counts"]["subjects_by_status"].values()) == info["counts"]["subjects"]
    assert info["as_of"]["warrants"] and any("ODbL" in item["licence"] for item in info["licences"])


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("warrants.yaml", "nationality: RUS", "nationality: XYZ", r"warrants\.yaml: subject \S+: nationality 'XYZ'"),
        ("warrants.yaml", "status: at_large", "status: missing", r"warrants\.yaml: subject \S+: status must be one of"),
        ("warrants.yaml", "situation: ukraine", "situation: atlantis", r"situation 'atlantis' is not defined"),
        ("precedents.yaml", "subject: putin", "subject: nobody", r"precedents\.yaml: precedent \S+: subject 'nobody'"),
        ("precedents.yaml", "state: MNG", "state: Mongolia", r"state 'Mongolia' is not an ISO alpha-3 code"),
        ("warrants.yaml", "as_of: 2026-11-23", "as_of: 2026-13-45", r"warrants\.yaml: \(top level\): as_of"),
        ("warrants.yaml", "subjects:", "subjects: [", r"warrants\.yaml: \(file\): .*invalid YAML"),
        (
            "states_parties.yaml",
            "deposited: 2002-04-11\n  entry_into_force: 2002-07-01\n  withdrawal_notified: null\n  withdrawal_revoked: null\n  withdrawal_effective: null\n  sources:\n  - https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XVIII-10&chapter=18&clang=_en\n  - http://archive.iccnow.org/?mod=country&iduct=117",
            "deposited: 2002-07-11\n  entry_into_force: 2002-07-01\n  withdrawal_notified: null\n  withdrawal_revoked: null\n  withdrawal_effective: null\n  sources:\n  - https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XVIII-10&chapter=18&clang=_en\n  - http://archive.iccnow.org/?mod=country&iduct=117",
            r"states_parties\.yaml: state MNG: deposited \(2002-07-11\) must be before entry_into_force",
        ),
        (
            "member_states.geojson",
            '"iso3":"MNG","iso2":"MN","name":"Mongolia","official_name":null,"sovereign":"MNG"',
            '"iso3":"MNG","iso2":"MN","name":"Mongolia","official_name":null,"deposited":"2002-04-11","sovereign":"MNG"',
            r"member_states\.geojson: MNG: holds facts \(deposited\): they belong in states_parties\.yaml",
        ),
        (
            "states_parties.yaml",
            "- iso3: REU\n",
            "- iso3: XRE\n",
            r"states_parties\.yaml: REU \(R.union\): territory of FRA, which is or was a State Party, has no application record",
        ),
        (
            "states_parties.yaml",
            "- https://coalitionfortheicc.org/news/hungary-withdraws-icc-rome-statute\n",
            "- https://news.hanna-ai.com/en/article/hungary-remains-icc-member\n",
            r"states_parties\.yaml: states\[\d+\] \(HUN\)\.sources\[\d+\]: https://news\.hanna-ai\.com/\S+ is junk",
        ),
        (
            "states_parties.yaml",
            "- https://coalitionfortheicc.org/news/hungary-withdraws-icc-rome-statute\n",
            "- https://unclassified.example/hungary\n",
            r"states_parties\.yaml: states\[\d+\] \(HUN\)\.sources\[\d+\]: unclassified\.example has no tier in sources\.yaml",
        ),
    ],
)
def test_invalid_data_names_file_and_entry(
    data_copy: Path, invoke, file: str, old: str, new: str, expected: str
) -> None:
    edit(data_copy / file, old, new)
    with pytest.raises(DataError) as caught:
        problems = validate_all(data_copy)
        if problems:
            raise DataError(problems)
    assert any(re.search(expected, str(p)) for p in caught.value.problems), caught.value.problems
    result = invoke("data", "validate")
    assert result.exit_code == 2 and re.search(expected, result.stderr)
    check = invoke("check", "putin", "MN@2024-09-03")
    assert check.exit_code == 2 and "Traceback" not in check.stderr


def test_a_fact_fixed_in_the_yaml_answers_without_a_boundary_rebuild(data_copy: Path, invoke) -> None:
    before = invoke("check", "putin", "AM@2024-02-15", "--format", "json")
    assert json.loads(before.stdout)["stops"][0]["basis"] == "state_party"
    edit(data_copy / "states_parties.yaml", "entry_into_force: 2024-02-01", "entry_into_force: 2024-03-01")
    assert validate_all(data_copy) == []
    after = json.loads(invoke("check", "putin", "AM@2024-02-15", "--format", "json").stdout)["stops"][0]
    assert (after["obligation"], after["basis"]) == ("none", "non_party")


def test_yaml_tags_are_refused(data_copy: Path) -> None:
    path = data_copy / "precedents.yaml"
    path.write_text("!!python/object/apply:os.system ['echo pwned']\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"precedents\.yaml"):
        store.load(data_copy)
