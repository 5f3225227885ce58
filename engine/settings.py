"""A project's own settings: ``askhog.yaml`` in the askhog home, or the file ``--config`` names.

They hold what cannot be read from the data, such as which event is the project's revenue event when its
name says nothing of money::

    roles:
      revenue_event: deal_won
      signup_event: workspace_created
    lexicon:                    # the project's own words for its names, as engine/lexicon.yaml's sections
      events:
        deal_won: [closed deal, won deal, closed-won]

An absent file is no settings; a file that is not a mapping of known sections is an error naming it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from . import yamlfiles
from .errors import CatalogError
from .paths import cache_home
from .roles import ROLES

FILE_NAME = "askhog.yaml"
SECTIONS = ("roles", "lexicon")


def load_settings(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The settings in ``path`` (default: the askhog home's ``askhog.yaml``, if there is one)."""
    source = Path(path).expanduser() if path is not None else cache_home() / FILE_NAME
    if path is None and not source.is_file():
        return {}
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(str(source), f"cannot read it ({exc.strerror or exc})") from None
    data = yamlfiles.load(text) or {}
    if not isinstance(data, dict) or set(data) - set(SECTIONS):
        raise CatalogError(str(source), f"settings are a mapping of {', '.join(SECTIONS)}")
    roles = data.get("roles") or {}
    if not isinstance(roles, dict) or set(roles) - set(ROLES) or not all(isinstance(v, str) for v in roles.values()):
        raise CatalogError(str(source), f"roles map {', '.join(ROLES)} to event names")
    lexicon = data.get("lexicon") or {}
    if not isinstance(lexicon, dict) or not all(isinstance(v, (dict, list)) for v in lexicon.values()):
        raise CatalogError(
            str(source), "lexicon maps sections of engine/lexicon.yaml (events, properties ...) to words"
        )
    return data
