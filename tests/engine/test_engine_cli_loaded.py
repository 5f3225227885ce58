"""After `askhog load`, with no PostHog key, the CLI knows the loaded events and only them (issue 11, item 1)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from askhog import cli
from askhog.demo.store import Store
from askhog.engine import Engine

NOW = "2026-11-05T12:00:00"
EVENTS = ("invoice_sent", "invoice_paid", "client_added", "reminder_sent")


def _export(path: Path, events: tuple[str, ...], first: int = 0) -> Path:
    """An invoicing product's export: events the demo never had, 300 of each in October 2026."""
    with path.open("w", encoding="utf-8") as handle:
        for i in range(len(events) * 300):
            event = events[i % len(events)]
            properties: dict[str, object] = {"$browser": ("Chrome", "Safari")[i % 2]}
            if event == "invoice_paid":
                properties.update(amount=10 + i % 90, currency=("EUR", "USD")[i % 2])
            handle.write(
                json.dumps(
                    {
                        "uuid": f"0190a0c3-0000-7000-8000-{first + i:012d}",
                        "event": event,
                        "distinct_id": f"c{i % 120}",
                        "timestamp": f"2026-10-{1 + i % 30:02d}T{i % 24:02d}:00:00Z",
                        "properties": properties,
                    }
                )
                + "\n"
            )
    return path


@pytest.fixture
def home(tmp_path: Path, model_home: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    shutil.copytree(model_home / "models", home / "models")  # the session engine's trained model: a warm start
    monkeypatch.setenv("ASKHOG_HOME", str(home))
    monkeypatch.delenv("POSTHOG_PERSONAL_API_KEY", raising=False)
    yield home
    Store.release()


def ask(capsys: pytest.CaptureFixture[str], question: str) -> tuple[int, dict]:
    code = cli.main(["ask", "--now", NOW, "--json", question])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, json.loads(out)


def test_questions_about_loaded_events_are_answered_from_them(
    home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert cli.main(["load", str(_export(tmp_path / "invoices.jsonl", EVENTS))]) == 0
    capsys.readouterr()
    code, answer = ask(capsys, "how many invoice_paid events last month")
    assert code == 0 and answer["values"]["event"] == "invoice_paid"
    assert answer["result"]["rows"] == [[300]]
    code, answer = ask(capsys, "how many invoices last month")  # the noun of the one invoice event done plainly
    assert code == 0 and answer["values"]["event"] == "invoice_sent"
    code, answer = ask(capsys, "how many contracts were signed last month")
    assert code == 2
    (question,) = answer["clarification"]["questions"]
    assert set(question["options"]) == set(EVENTS)  # the loaded data's events, none of the demo's


def test_a_second_load_adds_its_events_and_the_taxonomy_follows(
    home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert cli.main(["load", str(_export(tmp_path / "a.jsonl", EVENTS[:2]))]) == 0
    assert cli.main(["load", str(_export(tmp_path / "b.jsonl", ("quote_accepted",), first=10_000))]) == 0
    capsys.readouterr()
    code, answer = ask(capsys, "how many quote_accepted events last month")
    assert code == 0 and answer["result"]["rows"] == [[300]]
    code, answer = ask(capsys, "how many invoice_sent events last month")
    assert code == 0 and answer["result"]["rows"] == [[300]]
    assert cli.main(["load", "--replace", str(_export(tmp_path / "c.jsonl", ("client_added",), first=20_000))]) == 0
    capsys.readouterr()
    code, answer = ask(capsys, "how many quote_accepted events last month")
    assert answer["values"].get("event") != "quote_accepted"  # replaced: no longer in the data nor the taxonomy
