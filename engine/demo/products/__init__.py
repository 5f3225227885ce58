"""The demo products askhog can generate, by name: each a folder here with its taxonomy, spec and behaviour.

Reading a product's taxonomy needs no numpy: the engine asks for it on every
demo store it opens, the generator (``load``) only when data is made.
"""

from __future__ import annotations

import importlib
from importlib import resources
from typing import TYPE_CHECKING, Any

from ... import yamlfiles
from ...errors import BackendError
from ...taxonomy import Taxonomy

if TYPE_CHECKING:
    from ..product import Product

DEFAULT = "paperplane"
TITLES = {"paperplane": "Paperplane", "invoicing": "Billfold"}
"""Product name → the product's own name, as answers and `askhog demo` call its data."""
NAMES = tuple(TITLES)


def check(name: str) -> str:
    """``name`` if it is a product's, else a ``BackendError`` listing the products."""
    if name not in TITLES:
        raise BackendError(f"no demo product {name!r}: choose one of {', '.join(NAMES)}")
    return name


def taxonomy_file(name: str) -> str:
    """Where the product's taxonomy lives in the source tree (for error messages)."""
    return f"engine/demo/products/{check(name)}/taxonomy.yaml"


def demo_taxonomy(name: str | None = None) -> Taxonomy:
    """The built-in taxonomy of a demo product (the default one when none is named), read from its definitions
    file. It lives with the products, not in ``taxonomy.py``, which the products' files are read with."""
    name = name or DEFAULT
    text = resources.files(f"{__name__}.{check(name)}").joinpath("taxonomy.yaml").read_text(encoding="utf-8")
    return Taxonomy.from_dict(yamlfiles.load(text), source=taxonomy_file(name))


def load(name: str = DEFAULT) -> Product[Any]:
    """The product's generator (imported only now: it needs numpy)."""
    product: Product[Any] = importlib.import_module(f"{__name__}.{check(name)}.product").PRODUCT
    return product
