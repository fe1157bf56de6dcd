"""Where the data files live: bundled in the wheel, beside the source tree, or overridden."""

from __future__ import annotations

import os
from pathlib import Path

DATA_ENV = "ICC_TRAVEL_DATA"
FACTS_ENV = "ICC_TRAVEL_FACTS"  # a local facts file merged over the bundled data (--facts)
TERRITORIES_FILE = "member_states.geojson"
WARRANTS_FILE = "warrants.yaml"
PRECEDENTS_FILE = "precedents.yaml"
PARTIES_FILE = "states_parties.yaml"
SOURCES_FILE = "sources.yaml"
# Every file the dataset is built from, in the order loaders.parse takes them.
DATA_FILES = (TERRITORIES_FILE, WARRANTS_FILE, PRECEDENTS_FILE, PARTIES_FILE, SOURCES_FILE)


def data_dir() -> Path:
    """The data directory: $ICC_TRAVEL_DATA, the wheel's bundled copy, or the checkout's data/."""
    override = os.environ.get(DATA_ENV)
    if override:
        return Path(override)
    package = Path(__file__).resolve().parent.parent  # icc_travel/
    bundled = package / "_data"
    if (bundled / WARRANTS_FILE).exists():
        return bundled
    return package.parent / "data"


def facts_file() -> Path | None:
    """The local facts file, if one is set: facts a newsroom has verified ahead of a release."""
    value = os.environ.get(FACTS_ENV)
    return Path(value) if value else None


def cache_dir() -> Path:
    """$XDG_CACHE_HOME/icc-travel; a relative $XDG_CACHE_HOME is ignored, as the XDG spec says."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = str(Path.home() / ".cache")
    return Path(base) / "icc-travel"
