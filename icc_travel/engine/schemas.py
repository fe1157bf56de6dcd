"""JSON Schemas (draft 2020-12) made from the contract's types, and the shipped copies.

`schema(name)` converts the `TypedDict` of a top-level document (`contract_types.DOCUMENTS`) into
a schema: every `TypedDict` a definition under `$defs` (required keys as the type says; no other
keys allowed), unions as `anyOf`, a vocabulary enum as its values, `Literal` as `const`/`enum`.
Only the typing forms the contract uses are understood; another raises, so a new form is noticed
when the schemas are built, not shipped half-described.

The shipped files (`icc_travel/schemas/NAME.schema.json`) are written by
`scripts/build_schemas.py`; a test fails when they differ from what the types make.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from pathlib import Path
from typing import Any, Literal, NotRequired, Required, Union, get_args, get_origin, get_type_hints

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SHIPPED = Path(__file__).resolve().parent.parent / "schemas"


def names() -> list[str]:
    from icc_travel.engine.contract_types import DOCUMENTS

    return sorted(DOCUMENTS)


def schema(name: str) -> dict[str, Any]:
    """The schema of one top-level document, by its name in `DOCUMENTS`."""
    from icc_travel.engine.contract_types import DOCUMENTS

    definitions: dict[str, Any] = {}
    root = _convert(DOCUMENTS[name], definitions)
    document: dict[str, Any] = {
        "$schema": SCHEMA_DIALECT,
        "$id": f"https://icc-travel.invalid/schemas/{name}.schema.json",
        "title": f"icc-travel {name}",
    }
    document.update(root)
    document["$defs"] = dict(sorted(definitions.items()))
    return document


def text(name: str) -> str:
    """A schema as the shipped file holds it (sorted, indented, ending with a newline)."""
    return json.dumps(schema(name), indent=2, ensure_ascii=False) + "\n"


def shipped(name: str) -> dict[str, Any]:
    """The shipped schema of a document, as a user's validator would load it."""
    return json.loads((SHIPPED / f"{name}.schema.json").read_text(encoding="utf-8"))


def _convert(hint: Any, definitions: dict[str, Any]) -> dict[str, Any]:
    origin = get_origin(hint)
    if hint is type(None):
        return {"type": "null"}
    if hint is str:
        return {"type": "string"}
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return {"type": "integer"}
    if hint is float:
        return {"type": "number"}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return {"enum": [member.value for member in hint]}
    if typing.is_typeddict(hint):
        name = hint.__name__
        if name not in definitions:
            definitions[name] = {}  # reserved: a type that refers to itself stops here
            definitions[name] = _object(hint, definitions)
        return {"$ref": f"#/$defs/{name}"}
    if origin in (Union, types.UnionType):
        options = [_convert(arg, definitions) for arg in get_args(hint)]
        return {"anyOf": options}
    if origin is list:
        (item,) = get_args(hint)
        return {"type": "array", "items": _convert(item, definitions)}
    if origin is dict:
        key, value = get_args(hint)
        if key is not str:
            raise TypeError(f"JSON object keys are strings, not {key!r}")
        return {"type": "object", "additionalProperties": _convert(value, definitions)}
    if origin is Literal:
        values = list(get_args(hint))
        return {"const": values[0]} if len(values) == 1 else {"enum": values}
    if origin in (NotRequired, Required):
        return _convert(get_args(hint)[0], definitions)
    raise TypeError(f"no JSON Schema for {hint!r}")


def _object(hint: Any, definitions: dict[str, Any]) -> dict[str, Any]:
    fields = get_type_hints(hint, include_extras=True)
    properties = {key: _convert(value, definitions) for key, value in fields.items()}
    described: dict[str, Any] = {"type": "object"}
    if hint.__doc__ and not hint.__doc__.startswith(f"{hint.__name__}("):
        described["description"] = " ".join(hint.__doc__.split())
    described["properties"] = properties
    described["required"] = sorted(hint.__required_keys__)
    described["additionalProperties"] = False
    return described
