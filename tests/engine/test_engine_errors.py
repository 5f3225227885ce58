"""The error tree drawn in errors.py's docstring is the tree the classes form, and nothing shadows a builtin."""

from __future__ import annotations

import builtins
import inspect
import re

import askhog.errors as errors


def _drawn_parents() -> dict[str, str]:
    """Each class named in the docstring's tree and the class it hangs under, read from the indentation."""
    tree = errors.__doc__.split("The tree::", 1)[1].split("\n\n", 2)[1]
    parents: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for line in tree.splitlines():
        match = re.search(r"(?:[├└]── )?([A-Z]\w+)", line)
        if match is None:
            continue
        depth = match.start(1)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            parents[match.group(1)] = stack[-1][1]
        stack.append((depth, match.group(1)))
    return parents


def test_the_drawn_tree_is_the_class_tree() -> None:
    classes = {
        n: c
        for n, c in vars(errors).items()
        if inspect.isclass(c) and issubclass(c, Exception) and c.__module__ == errors.__name__
    }
    drawn = _drawn_parents()
    assert set(drawn) | {"AskhogError"} == set(classes)
    for name, parent in drawn.items():
        assert classes[name].__bases__ == (classes[parent],), name


def test_all_names_every_public_class_and_none_shadows_a_builtin() -> None:
    public = {n for n, c in vars(errors).items() if inspect.isclass(c) and c.__module__ == errors.__name__}
    assert set(errors.__all__) == public
    assert not public & set(dir(builtins))
