"""The askhog command: JSON contract, exit codes, errors without tracebacks, lint, eval, interactive prompt."""

from __future__ import annotations

import io
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from askhog import cli


@pytest.fixture(autouse=True)
def _home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASKHOG_HOME", str(tmp_path_factory.getbasetemp() / "cli-home"))
    # the CLI's wall clock (no --now) pinned: the demo it generates and every answer's "now" are this moment
    monkeypatch.setattr(cli, "utc_now", lambda: datetime(2026, 11, 26, 12, tzinfo=UTC))
    monkeypatch.delenv("POSTHOG_PERSONAL_API_KEY", raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_json_answered(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "how many users signed up last week?", "--json", "--no-run")
    payload = json.loads(out)
    assert code == 0
    assert set(payload) >= {"intent", "confidence", "slots", "clarification", "hogql"}
    assert payload["intent"] == "count" and payload["clarification"] is None
    assert payload["slots"]["event"] == "signed_up"
    assert payload["slots"]["time_range"]["previous"] == "week"
    assert "{event}" in payload["hogql"] and payload["values"]["event"] == "signed_up"


def test_ask_json_clarification_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "show me user engagement", "--json")
    payload = json.loads(out)
    assert code == 2
    assert payload["hogql"] is None
    (question,) = payload["clarification"]["questions"]
    assert question["slot"] == "metric" and "dau" in question["options"] and question["prompt"]


def test_out_of_scope_prints_the_refusal(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "delete all users")
    assert code == 0
    assert "read-only" in out and "SELECT" not in out


def test_bad_input_is_one_line_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "ask", "   ")
    assert code == 1 and out == ""
    assert err.startswith("askhog: QuestionError:") and "Traceback" not in err
    code, _, err = run(capsys, "ask", "x" * 10_000, "--json")
    assert code == 1 and "characters" in err


def test_unreachable_posthog_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTHOG_PERSONAL_API_KEY", "phx_test_key_not_real")
    monkeypatch.setenv("POSTHOG_PROJECT_ID", "1")
    monkeypatch.setenv("POSTHOG_HOST", "http://127.0.0.1:9")  # the discard port: nothing listens
    code, out, err = run(capsys, "ask", "how many users signed up last week?")
    assert code == 1
    assert "Traceback" not in err and "phx_test_key_not_real" not in err + out
    assert "askhog:" in err


def test_lint_reports_problems_with_positions(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    query = tmp_path / "slow.sql"
    query.write_text("SELECT *\nFROM events\nWHERE properties.$browser = 'Safari'\n")
    code, out, _ = run(capsys, "lint", str(query))
    assert code == 0  # warnings only
    assert "time" in out.lower() and "limit" in out.lower()
    query.write_text("DROP TABLE events")
    code, out, _ = run(capsys, "lint", str(query))
    assert code == 1 and "1:" in out


def test_lint_reads_standard_input(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        sys, "stdin", io.StringIO("SELECT count() FROM events WHERE timestamp > now() - INTERVAL 7 DAY LIMIT 10")
    )
    code, out, _ = run(capsys, "lint")
    assert code == 0 and "no problems" in out


def test_eval_on_a_small_labelled_set(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    labelled = tmp_path / "set.yaml"
    labelled.write_text(
        "- {question: 'How many users signed up last week?', intent: count, slots: {event: signed_up, time_range: {previous: week}}}\n"
        "- {question: 'signups by country', intent: breakdown, slots: {breakdown: $geoip_country_code}}\n"
        "- {question: 'show me user engagement', intent: engagement, clarify: true}\n"
        "- {question: 'what is the weather today', intent: out_of_scope}\n"
    )
    code, out, _ = run(capsys, "eval", str(labelled), "--json")
    report = json.loads(out)
    assert code == 0
    overall = report["overall"]
    assert overall["intent_accuracy"] == 1.0
    assert overall["clarification_accuracy"] == 1.0
    assert overall["slot_accuracy"] == 1.0 and overall["slots_scored"] == 3
    assert overall["out_of_scope_answered_with_query"] == 0
    assert set(overall["latency_ms"]) == {"p50", "p95", "p99"}


def test_eval_rejects_a_malformed_set(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {question: 'x', intent: not_a_family}\n")
    code, _, err = run(capsys, "eval", str(bad))
    assert code == 1 and "not_a_family" in err and "bad.yaml" in err


def test_interactive_prompt_carries_the_conversation(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("show me user engagement\ndau\n"))
    monkeypatch.setattr(cli, "_present", _record)
    seen.clear()
    assert cli.main([]) == 0
    assert seen[0].clarification is not None
    assert seen[1].clarification is None and seen[1].slots["metric"] == "dau"


seen: list = []


def _record(engine, answer, args, out) -> int:
    seen.append(answer)
    return 0


def test_a_caveat_is_printed_beside_the_answer(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "how many people uploaded a file but never uploaded again", "--no-run")
    assert code == 0
    assert "Careful: you asked about people who did file_uploaded and never did file_uploaded" in out
