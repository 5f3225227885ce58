"""The form a question comes in (issue 12, items 2, 4 and 5): a request for a query is answered with the query
first, pasted SQL is linted and explained (never run unchecked), "what can I ask?" is answered with examples made
from the project's own taxonomy, and the out-of-scope threshold is one number of the catalog, swept by eval.

Wordings here were written for this test, not taken from any labelled set."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from askhog import cli
from askhog.backends.base import Table
from askhog.catalog import Catalog, parse_intent
from askhog.chat import ChatTools
from askhog.conversation import Conversation
from askhog.demo.products import demo_taxonomy
from askhog.engine import Engine
from askhog.errors import CatalogError
from askhog.evaluate import Case, format_oos_curve, oos_curve
from askhog.taxonomy import Taxonomy

DATA = Path(__file__).resolve().parents[1] / "data"
NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)

# --- item 2: "write the query for X" answers X ----------------------------------------------------

REQUESTS = [
    ("could you write the HogQL for daily purchases this month", "daily purchases this month"),
    ("SQL for the number of active users by country", "the number of active users by country"),
    ("what query would show signups by week", "show signups by week"),
    ("give me the hogql for weekly signups", "weekly signups"),
    ("pls write me a sql query that shows file uploads by browser", "shows file uploads by browser"),
    ("weekly signups as a HogQL query", "weekly signups"),
    ("what's the SQL behind the signup to purchase funnel?", "the signup to purchase funnel?"),
    ("just give me the query for retention after signing up, I'll run it myself", "retention after signing up"),
]


@pytest.mark.parametrize(("request_text", "analysis"), REQUESTS)
def test_a_request_for_a_query_is_answered_as_the_analysis_it_names(
    engine: Engine, request_text: str, analysis: str
) -> None:
    wanted = engine.ask(request_text)
    plain = engine.ask(analysis)
    assert plain.hogql is not None, plain.explain()
    assert wanted.wants_query and wanted.question == request_text
    assert wanted.intent == plain.intent and wanted.hogql == plain.hogql and wanted.values == plain.values
    assert not plain.wants_query


@pytest.mark.parametrize(
    "question",
    [
        "write a query that deletes inactive users",
        "give me SQL to remove the test users",
        "could you write the hogql that updates every user's plan to pro",
        "write me a query which would drop the events table",
        "give me a query to find duplicate persons and delete them",
    ],
)
def test_a_requested_write_is_refused(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert answer.intent == "out_of_scope" and answer.hogql is None and not answer.wants_query
    assert answer.message is not None and "only reads" in answer.message


@pytest.mark.parametrize(
    "question",
    [
        "generate Snowflake SQL for weekly signups",  # another warehouse's dialect
        "write python code that pulls weekly signups",  # code around a query
        "how do I write a window function in hogql?",  # teaching HogQL
    ],
)
def test_code_that_is_not_askhogs_query_stays_refused(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert answer.hogql is None and not answer.wants_query
    assert answer.intent == "out_of_scope" or answer.clarification is not None


def test_a_request_naming_no_analysis_asks_which_one(engine: Engine) -> None:
    answer = engine.ask("write me the sql")
    assert answer.intent == "out_of_scope" and answer.hogql is None
    assert answer.message is not None and answer.message.startswith("Which analysis should the query compute?")
    assert answer.examples


def test_a_clarification_keeps_the_request(engine: Engine) -> None:
    """A request whose analysis needs a clarification still shows the query once the user picks."""
    conv = Conversation(engine)
    first = conv.ask("give me the hogql for user engagement")
    assert first.clarification is not None and first.wants_query
    second = conv.ask("dau")
    assert second.clarification is None and second.wants_query and second.hogql is not None
    assert second.slots["metric"] == "dau"


def test_show_me_the_query_shows_the_last_answers(engine: Engine) -> None:
    conv = Conversation(engine)
    first = conv.ask("daily signups last week")
    assert first.hogql is not None and not first.wants_query
    again = conv.ask("show me the query for that")
    assert again.wants_query and again.hogql == first.hogql and again.intent == first.intent


@pytest.fixture
def cli_home(model_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI on the demo's taxonomy with no store behind it (nothing here runs a query), starting warm."""
    monkeypatch.setenv("ASKHOG_HOME", str(model_home))
    monkeypatch.delenv("POSTHOG_PERSONAL_API_KEY", raising=False)
    monkeypatch.setattr("askhog.cli._backend", lambda args: _NoBackend())


def test_the_cli_prints_the_query_first(capsys: pytest.CaptureFixture[str], cli_home: None) -> None:
    code = cli.main(
        ["ask", "could you write the HogQL for daily purchases this month", "--no-run", "--now", NOW.isoformat()]
    )
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("HogQL")
    select = next(i for i, line in enumerate(lines) if line.startswith("SELECT"))
    header = next(i for i, line in enumerate(lines) if line.startswith("trend ("))
    assert select < header
    assert "'purchase'" in out and "{event}" not in out  # the paste-ready query, literals inlined
    code = cli.main(["ask", "could you write the HogQL for daily purchases this month", "--no-run", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert payload["wants_query"] is True and payload["intent"] == "trend" and payload["hogql"]


# --- item 2: pasted SQL is explained and linted, never run unchecked --------------------------------


def test_a_pasted_select_is_explained_and_linted_not_run(engine: Engine) -> None:
    sql = "SELECT properties.$browser AS browser, count() AS n FROM events GROUP BY browser ORDER BY n DESC"
    answer = engine.ask(f"what does this query do: {sql}")
    assert answer.intent == "out_of_scope" and answer.hogql is None and answer.pasted is not None
    assert answer.pasted.sql == sql and answer.pasted.runnable
    assert {p.code for p in answer.pasted.problems} == {"no_limit", "no_time_filter"}
    assert answer.message is not None
    assert answer.message.startswith("This is HogQL: a read-only query of events")
    assert "no_time_filter" in answer.message and "Run it?" in answer.message


@pytest.mark.parametrize(
    "question",
    [
        "run this for me: DELETE FROM persons WHERE is_identified = 0",
        "```sql\nUPDATE persons SET properties = '{}'\n```",
        "how many signups'; DROP TABLE events; --",
        "INSERT INTO events (event) VALUES ('x')",
    ],
)
def test_a_pasted_write_is_refused(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert answer.intent == "out_of_scope" and answer.hogql is None
    assert answer.pasted is not None and answer.pasted.write and not answer.pasted.runnable
    assert answer.message is not None and "changes data" in answer.message


def test_pasted_sql_with_errors_is_not_offered_to_run(engine: Engine) -> None:
    answer = engine.ask("why does this fail? SELECT count(*) FROM events WHERE timestamp > now() - INTERVAL 1 DAY")
    assert answer.pasted is not None and not answer.pasted.runnable
    assert "count_star" in (answer.message or "") and "Run it?" not in (answer.message or "")
    conv = Conversation(engine)
    conv.ask("SELECT count( FROM events")
    assert conv.last is not None and conv.last.pasted is not None and not conv.last.pasted.parses
    assert conv.ask("run it").hogql is None  # a query that does not parse is never run


def test_a_sentence_that_starts_like_sql_is_a_sentence(engine: Engine) -> None:
    assert engine.ask("select users from germany who purchased").pasted is None


def test_run_it_runs_the_checked_query_as_pasted(engine: Engine) -> None:
    conv = Conversation(engine)
    sql = "SELECT event, count() AS n FROM events WHERE timestamp > now() - INTERVAL 7 DAY GROUP BY event LIMIT 5"
    conv.ask(sql)
    ran = conv.ask("run it")
    assert ran.hogql == sql and ran.values == {} and ran.pasted is not None and ran.clarification is None


# --- item 4: what can I ask? -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "question", ["what can you do?", "help", "Examples", "what can I ask?", "what kind of questions can I ask you?"]
)
def test_what_can_i_ask_answers_with_the_projects_examples(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert answer.intent == "out_of_scope" and answer.hogql is None and answer.clarification is None
    assert answer.message is not None and "can't help" not in answer.message
    families = [e.family for e in answer.examples]
    assert len(families) == len(set(families)) >= 20  # one per family
    assert all(e.question in answer.message for e in answer.examples)


@pytest.mark.parametrize("question", ["help me understand why signups dropped", "what can we do to improve retention"])
def test_help_words_inside_a_real_question_are_not_a_help_request(engine: Engine, question: str) -> None:
    assert not engine.ask(question).examples


def test_each_example_is_answered_as_its_family(engine: Engine) -> None:
    names = set(demo_taxonomy().events) | set(demo_taxonomy().flags)
    for example in engine.examples():
        answer = engine.ask(example.question)
        assert answer.intent == example.family and answer.clarification is None, example
    named = {w.strip("?,") for e in engine.examples() for w in e.question.split()} & names
    assert {"signed_up", "purchase", "new-checkout"} <= named


def test_another_products_examples_name_its_own_events(model_home: Path) -> None:
    invoicing = Taxonomy.from_dict(yaml.safe_load((DATA / "taxonomy_invoicing.yaml").read_text()))
    engine = Engine(taxonomy=invoicing, clock=lambda: NOW, cache_dir=str(model_home))
    answer = engine.ask("what can I ask?")
    text = answer.message or ""
    assert {"account_created", "invoice_paid", "smart-reminders"} <= {
        w.strip("?,") for e in answer.examples for w in e.question.split()
    }
    demo_only = set(demo_taxonomy().events) - set(invoicing.events)
    assert not [name for name in demo_only if name in text], text
    by_family = {e.family: e for e in answer.examples}
    assert "invoice_paid" in by_family["funnel"].question and "account_created" in by_family["funnel"].question
    assert "feature_usage" not in by_family  # the product tracks no feature use: no example that cannot work
    for example in answer.examples:
        assert engine.ask(example.question).intent == example.family


def test_the_cli_prints_the_examples(capsys: pytest.CaptureFixture[str], cli_home: None) -> None:
    assert cli.main(["--examples"]) == 0
    top = capsys.readouterr().out
    assert cli.main(["ask", "--examples"]) == 0
    ask = capsys.readouterr().out
    assert top == ask and "  - funnel: Where do users drop off between signed_up and purchase?" in top
    assert cli.main(["ask", "--examples", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert {e["family"] for e in payload["examples"]} >= {"count", "funnel", "retention"}
    assert cli.main(["ask"]) == 1
    assert "--examples" in capsys.readouterr().err


class _NoBackend:
    """A backend the examples never run: they are read, not executed."""

    def taxonomy(self) -> Taxonomy:
        return demo_taxonomy()


# --- item 5: the out-of-scope operating point ---------------------------------------------------------


def test_the_threshold_is_the_catalogs_one_number(engine: Engine) -> None:
    assert engine.recognizer.refuse_at == Catalog.load()["out_of_scope"].refuse_at


def test_the_threshold_moves_what_is_refused_and_what_is_confirmed(engine: Engine) -> None:
    recognizer, kept = engine.recognizer, engine.recognizer.refuse_at
    vague = "tell me about the budget last week"  # read as a refusal, no refusal rule behind it
    doubtful = "what did we make last month?"  # an analysis, with a faint refusal reading (about 0.09)
    assert engine.ask(vague).intent == "out_of_scope"
    assert engine.ask(doubtful).hogql is not None
    try:
        recognizer.refuse_at = 0.9  # a refusal this faint is not a reading: the best analysis is
        assert recognizer.recognize(vague).refuse_at == 0.9
        assert engine.ask(vague).intent != "out_of_scope"
        recognizer.refuse_at = 0.05  # a refusal this plausible makes the analysis confirm first
        confirmed = engine.ask(doubtful)
        assert confirmed.hogql is None and confirmed.clarification is not None
    finally:
        recognizer.refuse_at = kept
    assert engine.ask(doubtful).hogql is not None


def test_the_oos_curve_sweeps_and_restores_the_threshold(engine: Engine) -> None:
    cases = [
        Case("how many users signed up last week?", "count"),
        Case("forecast next month's signups", "out_of_scope"),
        Case("should we kill the templates feature?", "out_of_scope"),
        Case("show me user engagement", "engagement", clarify=True),
    ]
    kept = engine.recognizer.refuse_at
    rows = oos_curve(engine, cases, points=(0.05, kept, 0.9), now=NOW)
    assert engine.recognizer.refuse_at == kept
    assert [r["refuse_at"] for r in rows] == [0.05, kept, 0.9] and [r["current"] for r in rows] == [False, True, False]
    assert all(r["refusals"] == 2 and r["in_scope"] == 2 for r in rows)
    assert rows[0]["oos_recall"] >= rows[2]["oos_recall"]
    assert rows[1]["in_scope_accuracy"] == 1.0 and rows[1]["in_scope_held_back"] == 0.0
    table = format_oos_curve(rows)
    assert "| refuse_at |" in table and f"| {kept:.2f} (catalog) |" in table


# --- the catalog keys ---------------------------------------------------------------------------------

_FAMILY = """
id: {id}
description: "x"
examples: [{examples}]
slots: []
message: "m"
"""


def _intent(extra: str, intent_id: str = "out_of_scope") -> str:
    examples = ", ".join(f'"q{i}"' for i in range(25))
    return _FAMILY.format(id=intent_id, examples=examples) + extra


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("refuse_at: 1.5\n", "refuse_at is a probability"),
        ("query_requests: [{pattern: '^sql for (.*)$'}]\n", "(?P<rest>...)"),
        ("help_requests: [{pattern: '('}]\n", "does not compile"),
        ("samples: ['How many {widgets}?']\n", "names {widgets}"),
    ],
)
def test_the_catalog_checks_the_new_keys(extra: str, message: str) -> None:
    with pytest.raises(CatalogError, match=re.escape(message)):
        parse_intent(_intent(extra), "intents/out_of_scope.yaml")


def test_the_form_keys_belong_to_out_of_scope() -> None:
    with pytest.raises(CatalogError, match=r"belongs in out_of_scope\.yaml"):
        parse_intent(_intent("refuse_at: 0.2\n", "count").replace('message: "m"\n', ""), "intents/count.yaml")


@pytest.mark.parametrize(("reply", "runs"), [("n", False), ("y", True)])
def test_the_cli_offers_to_run_pasted_sql_and_runs_it_only_on_yes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cli_home: None, reply: str, runs: bool
) -> None:
    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("builtins.input", lambda prompt="": reply)
    sql = "SELECT event, count() AS n FROM events WHERE timestamp > now() - INTERVAL 1 DAY GROUP BY event LIMIT 5"
    assert cli.main(["ask", sql, "--no-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("This is HogQL: a read-only query of events")
    assert ("your HogQL (checked: read-only)" in out) is runs
    if runs:
        assert out.index("HogQL (paste-ready") < out.index(sql) < out.index("your HogQL (checked")


# --- the chat tools (askhog mcp) ----------------------------------------------------------------------


class _OneRowBackend:
    """Answers every query with one row, and remembers what it ran."""

    def __init__(self) -> None:
        self.ran: list[str] = []

    def taxonomy(self) -> Taxonomy:
        return demo_taxonomy()

    def run(self, hogql: str, values: dict[str, object]) -> Table:
        self.ran.append(hogql)
        return Table(("period", "value"), ("DateTime", "UInt64"), ((datetime(2026, 11, 1, tzinfo=UTC), 7),))


def test_the_chat_tools_put_a_requested_query_first_and_run_pasted_sql_only_on_yes(model_home: Path) -> None:
    backend = _OneRowBackend()
    tools = ChatTools(Engine(backend, clock=lambda: NOW, cache_dir=str(model_home)))  # type: ignore[arg-type]
    wanted = tools.ask("could you write the HogQL for daily purchases this month")
    assert list(wanted)[:5] == ["conversation_id", "intent", "status", "wants_query", "hogql"]
    assert "'purchase'" in wanted["hogql"] and wanted["rows"]
    sql = "SELECT event, count() AS n FROM events WHERE timestamp > now() - INTERVAL 1 DAY GROUP BY event LIMIT 5"
    shown = tools.ask(f"explain this: {sql}")
    assert shown["status"] == "message" and shown["pasted"]["runnable"] and "run it" in shown["next"]
    assert len(backend.ran) == 1  # only the requested query ran: the pasted one has not
    ran = tools.reply(shown["conversation_id"], "run it")
    assert ran["status"] == "answered" and ran["hogql"] == sql and backend.ran[-1] == sql
    helped = tools.ask("what can I ask?")
    assert helped["status"] == "message" and len(helped["examples"]) >= 20
    families = tools.describe_data()["families"]
    assert families["funnel"]["examples"] == ["Where do users drop off between signed_up and purchase?"]
