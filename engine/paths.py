"""Where askhog keeps what it can rebuild: the embedded store and the trained recognizer.

``ASKHOG_HOME`` wins, then ``$XDG_CACHE_HOME/askhog``, then ``~/.cache/askhog``.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_home(override: str | os.PathLike[str] | None = None) -> Path:
    if override is not None:
        return Path(override).expanduser()
    if os.environ.get("ASKHOG_HOME"):
        return Path(os.environ["ASKHOG_HOME"]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "askhog"
