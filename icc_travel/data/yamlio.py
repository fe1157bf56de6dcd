"""Safe YAML reading that reports file:line instead of a traceback."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

try:  # libyaml is an order of magnitude faster; both loaders are the safe ones.
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

from icc_travel.errors import InputError

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_BOOL = "tag:yaml.org,2002:bool"
# YAML 1.2 booleans only: YAML 1.1 also reads yes/no/on/off/y/n, so Norway's code NO would be false.
_BOOL_1_2 = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


class SafeLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """A safe loader that leaves dates as text, reads booleans as YAML 1.2 does, and refuses a
    key given twice in one mapping.

    PyYAML's own date conversion raises a bare ValueError on 2024-13-01 and accepts forms we
    do not; the callers parse dates strictly and say where a bad one is. A repeated key would
    otherwise silently keep the last value.
    """

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key {key!r} appears twice in one mapping", key_node.start_mark
                    )
                seen[key] = True
            except TypeError:  # an unhashable key: the base constructor says so
                break
        return super().construct_mapping(node, deep=deep)


SafeLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in (_TIMESTAMP, _BOOL)]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
SafeLoader.add_implicit_resolver(_BOOL, _BOOL_1_2, list("tTfF"))


MAX_YAML_BYTES = 16 << 20  # the bundled data files are a few hundred kB each


def read_yaml(path: Path, *, label: str | None = None, max_bytes: int | None = None, hint: str = "") -> Any:
    """Parse a YAML file with a safe loader; any failure becomes one located InputError.

    The file is read with a size limit counted while reading (a device or FIFO says nothing of its
    size), and aliases of lists and mappings are refused: nested ones expand a file of a few hundred bytes
    into billions of values, which every later step (validation messages among them) would walk."""
    from icc_travel.data.inputs import decode_text, read_limited

    name = label or str(path)
    raw = read_limited(path, max_bytes if max_bytes is not None else MAX_YAML_BYTES, label=name, hint=hint)
    text = decode_text(raw, name, expected="YAML text")
    if "\x00" in text:
        raise InputError(f"{name}: binary file, expected YAML text")
    loader = SafeLoader(text)
    try:
        node = loader.get_single_node()
        alias = repeated_node(node)
        if alias is not None:
            line = alias.start_mark.line + 1
            raise InputError(
                f"{name}:{line}: YAML aliases of lists and mappings are not accepted: write the values out"
            )
        return loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        raise InputError(f"{where}: invalid YAML: {error.problem}") from None
    except (yaml.YAMLError, ValueError, RecursionError) as error:
        raise InputError(f"{name}: invalid YAML: {error}") from None
    finally:
        loader.dispose()


def repeated_node(root: Any) -> Any:
    """The first list or mapping reached twice in a composed YAML document (the target of an
    alias), or None. An alias of a single value (`date: *day`) repeats one value and is accepted;
    an alias of a collection is what multiplies. Each node is visited once, so a 'billion laughs'
    is answered at once."""
    seen: set[int] = set()
    pending = [root] if root is not None else []
    while pending:
        node = pending.pop()
        if id(node) in seen:
            if isinstance(node, yaml.ScalarNode):
                continue
            return node
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            pending.extend(part for pair in node.value for part in pair)
    return None
