"""Recognition: each family from phrasings written for this test, ambiguity handling, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from askhog.engine import Engine
from askhog.errors import QuestionError
from askhog.recognize import Recognizer

FAMILY_QUESTIONS = {
    "count": [
        "How many users signed up last week?",
        "total number of purchases in October 2026",
        "count distinct users who uploaded a file this month",
    ],
    "trend": [
        "signups over time",
        "daily purchases for the last 30 days",
        "count per day of file uploads",
        "how has the number of searches changed since September?",
    ],
    "breakdown": ["signups by country", "which plan has the most purchases?", "file uploads grouped by file type"],
    "feature_usage": [
        "what are our most popular features?",
        "which feature is used the most by pro users",
        "feature adoption this quarter",
    ],
    "user_list": [
        "who signed up yesterday?",
        "list users that uploaded a file but never shared one",
        "which users purchased the team plan last month",
    ],
    "funnel": [
        "where do users drop off between signup and purchase?",
        "conversion from signup to upload to purchase",
        "of users who started checkout, how many then purchased?",
    ],
    "retention": [
        "do users come back after signing up?",
        "weekly retention of new signups",
        "what share of users return in their second month",
    ],
    "paths": [
        "what do users do after signing up?",
        "what paths lead to a purchase?",
        "most common sequences of events before checkout",
    ],
    "cohort_comparison": [
        "what drives purchases?",
        "do users who share files buy more than those who don't?",
        "compare users who invited a teammate vs those who didn't on purchases",
    ],
    "correlation": [
        "which events predict conversion to purchase?",
        "what correlates with buying a plan?",
        "which features are most associated with users upgrading",
    ],
    "activation": [
        "what gets users to their aha moment?",
        "what is our activation rate?",
        "share of new users who uploaded a file within 3 days of signing up",
    ],
    "churn_risk": [
        "who's at risk of churning?",
        "which users stopped using the product in the last two weeks",
        "list churned users who were active last month",
    ],
    "revenue": ["revenue by channel", "what's our ARPU?", "which acquisition channel has the best revenue per user"],
    "time_to_event": [
        "how long until first value?",
        "time from signup to first purchase",
        "how long does it take users to upload their first file after signing up",
    ],
    "experiment": [
        "did the new checkout experiment work?",
        "A/B test results for new-checkout",
        "which variant of the checkout test won?",
    ],
    "stickiness": [
        "how many days a week do users upload files?",
        "how sticky is file sharing?",
        "distribution of active days per week for searches",
    ],
    "lifecycle": [
        "new vs returning vs resurrecting vs dormant users",
        "lifecycle of our users by week",
        "how many users were resurrected last month",
    ],
    "engagement": ["show me DAU for the last month", "DAU/MAU ratio this quarter", "events per user per week"],
    "sessions": ["average session duration", "what's our bounce rate?", "how many sessions per user this week"],
    "anomaly": [
        "anything unusual this week?",
        "were there any spikes or dips in signups lately?",
        "flag anomalies in daily purchases",
    ],
    "diagnose": ["why did conversion drop?", "what caused the dip in purchases last week?", "why are sales dropping?"],
    "out_of_scope": [
        "what's the weather in Paris?",
        "delete all users",
        "How do I create a funnel analysis in PostHog?",
        "Why are my cohorts not updating?",
        "Show me recordings from Chrome",
        "SELECT * FROM events",
        "send an email to churned users",
        "tell me a joke",
    ],
}


@pytest.mark.parametrize(("family", "question"), [(f, q) for f, qs in FAMILY_QUESTIONS.items() for q in qs])
def test_family_is_recognized(engine: Engine, family: str, question: str) -> None:
    answer = engine.ask(question)
    assert answer.intent == family, answer.explain()


def test_out_of_scope_never_carries_a_query(engine: Engine) -> None:
    for question in FAMILY_QUESTIONS["out_of_scope"]:
        answer = engine.ask(question)
        assert answer.hogql is None
        assert answer.message is not None and "read-only" in answer.message
        if answer.pasted is not None:  # SQL typed as the question: explained and linted, not run (issue 12)
            assert answer.message.startswith("This is HogQL") and not answer.pasted.write
            continue
        assert "How many users signed up last week?" in answer.message  # it says what askhog can do


def test_evidence_names_the_rule_and_words(engine: Engine) -> None:
    answer = engine.ask("where do users drop off between signup and purchase?")
    assert any(r.startswith("funnel:") for r in answer.rules)
    assert any("drop" in w for w, _ in answer.words)
    assert 0.0 < answer.confidence <= 1.0
    assert all(p <= answer.confidence for _, p in answer.alternatives)


def test_sql_sounding_phrasing_maps_to_families(engine: Engine) -> None:
    assert engine.ask("count distinct person_id for signed_up").intent == "count"
    assert engine.ask("purchases grouped by browser").intent == "breakdown"
    assert engine.ask("signups count per day").intent == "trend"


def test_close_call_asks_which_analysis(engine: Engine) -> None:
    answer = engine.ask("users and signups")
    if answer.clarification is not None and answer.clarification.kind == "intent":
        question = answer.clarification.questions[0]
        assert question.slot == "intent"
        assert len(question.options) >= 1
        assert "Did you mean" in question.prompt
    else:  # a confident reading must still be a real family with a rendered query or a slot question
        assert answer.intent in engine.catalog.intents


@pytest.mark.parametrize("bad", ["", "   ", "x" * 10_000])
def test_empty_and_huge_questions_are_typed_errors(engine: Engine, bad: str) -> None:
    with pytest.raises(QuestionError):
        engine.ask(bad)


def test_non_text_question_is_a_typed_error(engine: Engine) -> None:
    with pytest.raises(QuestionError, match="must be text"):
        engine.ask(42)  # type: ignore[arg-type]


@pytest.mark.parametrize("odd", ["🚀🚀🚀", "日本語の質問です", "¿¿¿", "asdfghjkl qwerty"])
def test_unreadable_text_gets_a_helpful_refusal(engine: Engine, odd: str) -> None:
    answer = engine.ask(odd)
    assert answer.hogql is None
    assert answer.intent == "out_of_scope" or answer.clarification is not None


@pytest.mark.parametrize(
    "foreign",
    [
        "Combien d'utilisateurs se sont inscrits la semaine dernière ?",
        "Wie viele Nutzer haben sich gestern angemeldet?",
        "¿Cuántos usuarios compraron el plan pro este mes?",
    ],
)
def test_other_languages_are_told_askhog_reads_english(engine: Engine, foreign: str) -> None:
    answer = engine.ask(foreign)
    assert answer.hogql is None and answer.intent == "out_of_scope"
    assert answer.message is not None and "English" in answer.message


@pytest.mark.parametrize(
    "attack",
    ["'; DROP TABLE events; --", 'how many signups"); DROP TABLE events; --', "signups where plan = '') OR 1=1 --"],
)
def test_injection_never_reaches_the_query_text(engine: Engine, attack: str) -> None:
    answer = engine.ask(attack)
    if answer.hogql is not None:
        assert "DROP" not in answer.hogql.upper()
        assert "1=1" not in answer.hogql.replace(" ", "")


# Each kind of question askhog must refuse, in wordings written for this test (not taken from any labelled set).
REFUSAL_KINDS = {
    "forecast": ["how many signups will we get next month?", "forecast purchases for the holidays"],
    "what-if": [
        "what would retention look like if we dropped the free plan?",
        "if we had never launched sharing would we have more customers",
    ],
    "opinion": ["should we sunset the search feature?", "is the pro plan worth it, in your opinion?"],
    "benchmark": ["what's a good churn rate for b2b saas companies?", "industry average bounce rate"],
    "definition": ["what does ARR stand for?", "what does stickiness even mean"],
    # a request for askhog's own query is answered (test_engine_forms.py); a query in another dialect is not
    "writing": ["draft an email announcing the new editor", "write the bigquery sql for weekly signups"],
    "notify": ["ping me in slack when signups fall", "post these numbers to #growth"],
    "tool trouble": ["the retention chart is stuck loading", "what does the smoothing dropdown do"],
    "other systems": ["how many open deals are in salesforce?", "what's our aws bill this month"],
    "world": ["who is the ceo of stripe", "how many people in the world use pdfs"],
    "create objects": ["build me a dashboard of signups", "save this as an insight"],
}

# Questions that share those words but ask about the project's own past data.
NEAR_MISSES = [
    ("how many dashboards did users create last week?", "count"),
    ("which events predict whether someone purchases?", "correlation"),
    ("should we ship new-checkout?", "experiment"),
    ("anything unusual in purchases this week?", "anomaly"),
    ("who invited the most teammates this month?", "user_list"),
]


@pytest.mark.parametrize(("kind", "question"), [(k, q) for k, qs in REFUSAL_KINDS.items() for q in qs])
def test_refusal_kinds_get_no_query(engine: Engine, kind: str, question: str) -> None:
    answer = engine.ask(question)
    assert answer.hogql is None, f"{kind}: {answer.explain()}"
    assert answer.intent == "out_of_scope" or answer.clarification is not None, answer.explain()


@pytest.mark.parametrize(("question", "family"), NEAR_MISSES)
def test_near_misses_are_not_refused(engine: Engine, question: str, family: str) -> None:
    answer = engine.ask(question)
    assert answer.intent == family, answer.explain()


def test_dev_refusals_never_carry_a_query(engine: Engine) -> None:
    """Every out_of_scope case of the dev sets (never the held-out ones) is answered without a query."""
    from pathlib import Path

    from askhog.evaluate import load_cases

    data = Path(__file__).resolve().parents[1] / "data"
    files = sorted(data.glob("questions*.yaml"))
    cases = [c for c in load_cases(files) if c.split == "dev" and c.intent == "out_of_scope"]
    assert len(cases) > 250
    answered = [c.question for c in cases if engine.ask(c.question).hogql is not None]
    assert answered == []


def test_outside_data_refusals_give_way_to_what_the_project_tracks(model_home: Path) -> None:
    """'meetings' is outside data for the demo product, but a scheduling product tracks meetings."""
    from dataclasses import replace

    from askhog.demo.products import demo_taxonomy
    from askhog.taxonomy import EventDef

    demo = demo_taxonomy()
    scheduling = replace(demo, events={**demo.events, "meeting_booked": EventDef("meeting_booked")})
    engine = Engine(taxonomy=scheduling, cache_dir=str(model_home))
    answer = engine.ask("how many meetings were booked last week?")
    assert answer.intent == "count" and answer.hogql is not None
    assert answer.values["event"] == "meeting_booked"
    assert engine.ask("schedule a meeting with the growth team").intent == "out_of_scope"  # a write stays refused

    demo_engine = Engine(cache_dir=str(model_home))
    assert demo_engine.ask("how many meetings were booked last week?").hogql is None


def test_dates_and_numbers_do_not_sway_the_classifier(engine: Engine) -> None:
    a = engine.recognizer.recognize("signups from Oct 1, 2025 to Jan 15, 2026 by country")
    b = engine.recognizer.recognize("signups from March 3 to May 9 by country")
    assert a.intent == b.intent == "breakdown"
    assert a.confidence == pytest.approx(b.confidence)


def test_a_possible_refusal_says_why_it_asks(engine: Engine) -> None:
    answer = engine.ask("should we kill the templates feature?")
    assert answer.hogql is None and answer.clarification is not None
    prompt = answer.clarification.questions[0].prompt
    assert "cannot answer" in prompt and "recommendations" in prompt and "Did you mean" in prompt


@pytest.mark.parametrize(
    "question",
    ["pageviews from Nov 10 through Nov 12, inclusive", "signups last week", "blog views from 5 oct through 18 oct"],
)
def test_a_bare_event_and_period_is_one_number(engine: Engine, question: str) -> None:
    """Nothing but an event and a range: the reading is 'terse' and the answer is a count, not a question
    about which property to break it down by."""
    reading = engine.filler.read(question, engine.clock())
    assert "terse" in reading.facts()
    answer = engine.ask(question)
    assert answer.clarification is None
    assert answer.intent == "count"


@pytest.mark.parametrize(
    "question",
    [
        "pageviews by browser last week",
        "what % of signups purchased last week",
        "daily signups last week",
        "signups and purchases last week",
    ],
)
def test_anything_beyond_event_and_period_is_not_terse(engine: Engine, question: str) -> None:
    assert "terse" not in engine.filler.read(question, engine.clock()).facts()


def test_two_readings_that_widen_to_one_family_are_not_asked_about(engine: Engine) -> None:
    """Read as a trend or as a breakdown, "which weekday" ranks the days of the week: both end in a
    breakdown by weekday, so asking "breakdown or trend?" would be a question with one answer."""
    answer = engine.ask("Which weekday do we get the most purchases on? all time")
    assert answer.clarification is None
    assert answer.intent == "breakdown"
    assert answer.slots["breakdown"].grain == "day_of_week"


def test_a_misspelt_word_is_read_as_meant_but_project_names_are_kept(engine: Engine) -> None:
    """The reader sees the respelled question: "sesions per user" is sessions per user, not a session
    duration with an unused "per user"; the project's own names are never respelled."""
    answer = engine.ask("sesions per user last week, on avg?")
    assert answer.clarification is None and not answer.warnings
    assert answer.slots["metric"] == "sessions_per_user"
    assert engine.recognizer.correct("safari signups", keep=engine.linker.keeps) == "safari signups"


def test_a_word_the_lexicon_reads_is_never_respelled_as_an_example_word(engine: Engine) -> None:
    """An example word one edit away ("newest") must not capture a word only the lexicon's cues know: respelled,
    "the 2 countries with the fewest purchases" was ranked most first."""
    examples = [(ex, intent.id) for intent in engine.catalog for ex in intent.examples]
    recognizer = Recognizer(engine.catalog, [*examples, ("list the 5 newest signups", "user_list")])
    assert recognizer.correct("the fewest purchases") == "the newest purchases"  # the trap is real
    kept = recognizer.correct("the 2 countries with the fewest purchases", keep=engine.linker.keeps)
    assert "fewest" in kept
    assert not engine.linker.knows("fewest")  # a cue word is no project name: "the upgrade banner" still asks


def test_a_word_that_changes_the_number_is_never_silently_unread(engine: Engine) -> None:
    """ "NOT on desktop" read as desktop, or "first week" ignored, must show in the answer's caveats; a
    negation that was read ("never shared"), a comparison that was made and a family's own words are not."""
    negated = engine.ask("last week's pageviews that were NOT on desktop")
    read_negated = any(f.op in ("!=", "not_in") for f in negated.slots.get("filters") or ())
    assert negated.clarification is not None or read_negated or any("'not'" in p.message for p in negated.warnings)
    first = engine.ask("how many uploads did users make in their first 3 sessions last month")
    assert first.clarification is not None or any("first 3 sessions" in p.message for p in first.warnings)
    assert not engine.ask("users who signed up last week but never uploaded a file").warnings
    assert not engine.ask("signups this week vs last week").warnings
    assert not engine.ask("median time from signup to their first purchase").warnings
    assert not engine.ask("do users who share files buy more than those who don't?").warnings


def test_people_with_a_threshold_are_counted_as_people(engine: Engine) -> None:
    """ "People with 3 or more tickets" is how many people, not how many of their events."""
    answer = engine.ask("how many repeat uploaders - people with 3 or more uploads last month?")
    assert answer.clarification is None and answer.meaning is not None
    assert answer.meaning.primary.math == "dau"
    assert any(c.min_count == 3 for c in answer.meaning.conditions)


def test_describing_words_are_not_taken_for_missing_names(engine: Engine) -> None:
    """ "newsletter-acquired users", "ignore users with no source" describe; "the chat widget" still names
    something the project does not have and is asked about."""
    answer = engine.ask("last month's revenue from newsletter-acquired users vs google-acquired ones?")
    assert answer.clarification is None
    assert engine.ask("how many people opened the chat widget?").clarification is not None


def test_a_range_with_its_own_weekdays_reports_nothing_unused(engine: Engine) -> None:
    """The range's own weekdays ("on weekends in october") are part of the range and not reported."""
    assert not engine.ask("how many purchases happened on weekends in october").warnings


def test_on_n_different_days_is_a_days_active_threshold(engine: Engine) -> None:
    """ "Uploaded on at least 3 different days" counts people by their active days (it used to count every
    uploader, silently)."""
    answer = engine.ask("how many people uploaded on at least 3 different days in the last 2 weeks")
    assert answer.intent == "stickiness" and answer.clarification is None
    assert 3 in answer.slots.values()


def test_more_than_twice_is_three_or_more(engine: Engine) -> None:
    """ "Purchased more than twice" keeps people with 3 or more purchases (it kept every purchaser)."""
    assert engine.ask("list users who purchased more than twice last month").slots["min_count"] == 3
    assert engine.ask("users who purchased at least twice last month").slots["min_count"] == 2


def test_a_property_named_only_as_a_filter_is_not_a_grouping(engine: Engine) -> None:
    """ "Signups where country is US" is one number for US signups: the property is a filter, not a breakdown."""
    reading = engine.filler.read("signups where country is US last month", engine.clock())
    assert "filtered" in reading.facts() and "breakdown" not in reading.facts()
    assert engine.ask("signups where country is US last month").intent == "count"
