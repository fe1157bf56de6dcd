from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from icc_travel.cli.main import cli
from icc_travel.data import paths, store
from icc_travel.data.models import Dataset
from icc_travel.dates import TODAY_ENV
from icc_travel.geo.places import PlaceResolver

DATA = Path(paths.data_dir())


# CI builds the caches of the installed data once (the territory grid takes 20-40 s of one core)
# and names the folder here; each test worker starts from a copy of it instead of building its own.
# The tests of first runs, damaged caches and concurrent builds make their own empty cache folders.
CACHE_SEED_ENV = "ICC_TRAVEL_TEST_CACHE_SEED"


@pytest.fixture(scope="session")
def worker_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This worker's cache folder (XDG_CACHE_HOME), seeded from $ICC_TRAVEL_TEST_CACHE_SEED if set."""
    folder = tmp_path_factory.getbasetemp() / "cache"
    seed = os.environ.get(CACHE_SEED_ENV)
    if seed and not folder.exists():
        shutil.copytree(seed, folder, symlinks=True)
    return folder


@pytest.fixture(scope="session")
def tiled_index(dataset: Dataset, worker_cache: Path):
    """The territory grid as commands open it: memory-mapped from this worker's cache, built there
    on first need (or copied from CI's seed). tests/test_bulk_exact.py builds one of its own, to
    test the build, the cache and a damaged cache."""
    from icc_travel.geo.geometry import TerritoryIndex, TiledIndex

    path = Path(dataset.territories_path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(worker_cache))
        return TiledIndex.cached(path, lambda: TerritoryIndex(path).geometries)


@pytest.fixture(autouse=True)
def isolated_cache(
    worker_cache: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests never read or write the user's cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(worker_cache))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.getbasetemp() / "state"))


@pytest.fixture(autouse=True)
def pinned_today(dataset: Dataset, monkeypatch: pytest.MonkeyPatch) -> dt.date:
    """Tests never depend on the day they run: "today" is the data's as-of date, or the date CI
    pins from outside (`.ci/run` runs the suite again years later); a test about staleness sets
    ICC_TRAVEL_TODAY itself. Subprocesses inherit it through os.environ."""
    pinned = os.environ.get(TODAY_ENV) or dataset.as_of.isoformat()
    monkeypatch.setenv(TODAY_ENV, pinned)
    return dt.date.fromisoformat(pinned)


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    return store.load(DATA)


@pytest.fixture(scope="session")
def resolver(dataset: Dataset) -> PlaceResolver:
    return PlaceResolver(dataset)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def invoke(runner: CliRunner) -> Callable:
    def run(*args: str, **kwargs):
        return runner.invoke(cli, list(args), catch_exceptions=False, **kwargs)

    return run


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of the data directory that the CLI will use."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    monkeypatch.setenv(paths.DATA_ENV, str(target))
    return target
