"""sources.yaml's table of hosts by tier, and every URL the files cite checked against it: each
cited host must be classified and none may be junk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from icc_travel.data.loaders.checker import Checker
from icc_travel.data.loaders.documents import read_document, strings_in
from icc_travel.errors import Problem


def read_tiers(path: Path, check: Checker) -> tuple[dict[str, str], dict[str, str]]:
    """Host -> tier, and the junk hosts that must never be cited (data/sources.yaml)."""
    from icc_travel.data.sources import TIERS

    data = read_document(path, check)
    if not isinstance(data, dict):
        check.add("(top level)", "expected a mapping with keys tiers, hosts and junk")
        return {}, {}
    hosts = data.get("hosts") or {}
    junk = data.get("junk") or {}
    if not isinstance(hosts, dict) or not isinstance(junk, dict):
        check.add("(top level)", "hosts and junk must be mappings")
        return {}, {}
    for name, tier in hosts.items():
        if tier not in TIERS:
            check.add(f"hosts: {name}", f"tier must be one of {', '.join(TIERS)}, got {tier!r}")
    for name in set(hosts) & set(junk):
        check.add(f"hosts: {name}", "listed both as a source and as junk")
    return {host_key(k): str(v) for k, v in hosts.items()}, {host_key(k): str(v) for k, v in junk.items()}


def host_key(name: object) -> str:
    """A host as the tier table keys it: lower case, no `www.`, no trailing dot (as sources.host
    reads a URL), so `Example.COM.` in a table cannot miss the URLs that open example.com."""
    return str(name).strip().lower().rstrip(".").removeprefix("www.")


def cited_urls(checks: Iterable[Checker]) -> Iterator[tuple[Checker, str, str, str]]:
    """(file, entry, url, host) for every URL cited anywhere in the files' parsed values: YAML
    escapes (`"https://\\x6Aunk.example"`) are undone first, and each URL's host is the one a
    browser would open (see sources.host), so a userinfo `@`, a backslash or a trailing dot cannot
    slip a junk host past the table."""
    from icc_travel.data.sources import host

    for check in checks:
        for entry, text in strings_in(check.document):
            for url in WEB_ADDRESS.findall(text):
                yield check, entry, url, host(url)


def source_problems(
    cited: Iterable[tuple[Checker, str, str, str]], tiers: dict[str, str], junk: dict[str, str]
) -> list[Problem]:
    """Every URL cited anywhere has a classified host, and none is junk."""
    problems = []
    for check, entry, url, name in cited:
        if not name:
            problems.append(Problem(check.file, entry, f"{url!r} is not a URL a browser can open"))
        elif name in junk:
            problems.append(Problem(check.file, entry, f"{url} is junk ({junk[name]}): do not cite it"))
        elif name not in tiers:
            problems.append(Problem(check.file, entry, f"{name} has no tier in sources.yaml: classify it"))
    return problems


WEB_ADDRESS = re.compile(r"https?:\S+", re.IGNORECASE)
