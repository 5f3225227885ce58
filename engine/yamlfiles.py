"""YAML reading for the files askhog ships (catalog, lexicon, demo taxonomy).

They are read on every start, so libyaml's parser is used when PyYAML has it
(it usually does): it reads them about three times faster than the pure-Python one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import CatalogError

SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str) -> Any:
    return yaml.load(text, Loader=SafeLoader)  # a safe loader, C or Python


# --- YAML with line numbers: the catalog and the workflow definitions validate with these ------------


class LineDict(dict):  # type: ignore[type-arg]
    """A mapping that remembers the line of each key, for error messages."""

    lines: dict[str, int]


class _LineLoader(SafeLoader):  # type: ignore[misc]
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:  # YAML keeps the last silently: a merged or pasted file would lose the first
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"the key {key!r} appears twice (first on line {result.lines[str(key)]})",
                key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[str(key)] = key_node.start_mark.line + 1
    result.lines["__self__"] = node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def line_of(mapping: Any, key: str | None = None) -> int | None:
    """The line of ``key`` in a mapping read by ``load_with_lines`` (of the mapping itself without a key)."""
    lines: dict[str, int] | None = getattr(mapping, "lines", None)
    if not lines:
        return None
    return lines.get(key) if key is not None and key in lines else lines.get("__self__")


def load_with_lines(text: str, source: str) -> Any:
    """Parse YAML whose mappings remember their lines; a parser error is a CatalogError with the line."""
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CatalogError(
            source, f"not valid YAML: {getattr(exc, 'problem', exc)}", line=mark.line + 1 if mark else None
        ) from None


def load_list_file(path: Path, what: str) -> list[Any]:
    """A YAML file that holds a list (a labelled set), read with lines; ``what`` says what the list is of."""
    try:
        data = load_with_lines(path.read_text(encoding="utf-8"), str(path))
    except OSError as exc:
        raise CatalogError(str(path), f"cannot read: {exc.strerror}") from None
    if not isinstance(data, list):
        raise CatalogError(str(path), what)
    return data
