"""Safe YAML reading that reports file:line instead of a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

try:  # libyaml is an order of magnitude faster; both loaders are the safe ones.
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

from icc_travel.errors import InputError

_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class SafeLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """A safe loader that leaves dates as text.

    PyYAML's own date conversion raises a bare ValueError on 2024-13-01 and accepts forms we
    do not; the callers parse dates strictly and say where a bad one is.
    """


SafeLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _TIMESTAMP]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path, *, label: str | None = None, max_bytes: int | None = None, hint: str = "") -> Any:
    """Parse a YAML file with a safe loader; any failure becomes one located InputError."""
    name = label or str(path)
    try:
        if max_bytes is not None and (size := path.stat().st_size) > max_bytes:
            raise InputError(f"{name}: too large ({size:,} bytes; the limit is {max_bytes:,}){hint}")
        raw = path.read_bytes()
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory, not a file") from None
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except OSError as error:
        raise InputError(f"{name}: cannot read: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{name}: not UTF-8 text (byte {error.start})") from None
    if "\x00" in text:
        raise InputError(f"{name}: binary file, expected YAML text")
    try:
        return yaml.load(text, Loader=SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        raise InputError(f"{where}: invalid YAML: {error.problem}") from None
    except (yaml.YAMLError, ValueError, RecursionError) as error:
        raise InputError(f"{name}: invalid YAML: {error}") from None
