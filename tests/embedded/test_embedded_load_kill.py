"""A real `askhog load` process killed midway (SIGKILL) or terminated (SIGTERM) leaves the old data as it was."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from askhog.demo.load import load_file
from askhog.demo.store import Store

BIG_ROWS = 150_000


def _row(n: int) -> str:
    return json.dumps(
        {
            "uuid": f"0190a0c3-0000-7000-8000-{n:012d}",
            "event": f"event_{n % 7}",
            "distinct_id": f"u{n % 900}",
            "timestamp": "2026-01-05T10:00:00Z",
            "properties": {"$browser": "Chrome", "n": n, "path": f"/p/{n % 50}"},
        }
    )


@pytest.fixture(scope="module")
def big_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kill") / "big.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for n in range(10, BIG_ROWS + 10):
            handle.write(_row(n) + "\n")
    return path


def _building(home: Path) -> bool:
    """Has the load created its build database (an askhog database the pointer does not name)?"""
    live = (home / "chdb.current").read_text().strip() if (home / "chdb.current").exists() else "askhog"
    return any(p.stem != live for p in (home / "chdb" / "metadata").glob("askhog_*.sql"))


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_load_killed_midway_leaves_the_old_data(tmp_path: Path, big_export: Path, signum: int) -> None:
    home = tmp_path / "home"
    small = tmp_path / "small.jsonl"
    small.write_text("".join(_row(n) + "\n" for n in range(3)), encoding="utf-8")
    load_file(small, home=home)
    Store.release()  # the child opens the same store
    env = dict(os.environ, ASKHOG_HOME=str(home))
    env.pop("POSTHOG_PERSONAL_API_KEY", None)
    child = subprocess.Popen(
        [sys.executable, "-m", "askhog.cli", "load", str(big_export)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not _building(home) and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # inside the load's statements, not at their start
    assert child.poll() is None, f"the load ended before it could be interrupted: {child.communicate()}"
    child.send_signal(signum)
    _, err = child.communicate(timeout=120)
    assert child.returncode == (-signal.SIGKILL if signum == signal.SIGKILL else 130), err
    assert "Traceback" not in err
    store = Store(home)
    assert int(store.scalar("SELECT count() FROM events")) == 3
    assert Path(store.metadata()["source"]).name == "small.jsonl"
    databases = store.json("SELECT name FROM system.databases WHERE startsWith(name, 'askhog')")["data"]
    assert [name for (name,) in databases] == [store.database]
