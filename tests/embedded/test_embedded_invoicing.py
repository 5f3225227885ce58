"""The second demo product, Billfold (invoicing): each planted truth of its spec checked on generated rows with
plain ClickHouse SQL, `askhog demo --product`, and an engine answering from its taxonomy.

The queries are written by hand from ``engine/demo/products/invoicing/invoicing.md`` alone, as a question
writer would, independently of the generator's code and of the intent templates.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from askhog import cli
from askhog.backends.embedded import EmbeddedBackend
from askhog.demo.generate import DemoInfo, generate_demo
from askhog.demo.products import demo_taxonomy
from askhog.demo.products.invoicing import truths
from askhog.demo.store import Store
from askhog.engine import Engine

from .conftest import rows, two_proportion_z

END = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
"""Where the data ends and the engine's "now": pinned, never the wall clock."""
EVENTS = 60_000
"""Small enough to generate in about a second, large enough for the German break's dozen days to show."""
SEED = 42
SQL_END = f"toDateTime64('{END:%Y-%m-%d %H:%M:%S}', 6, 'UTC')"
BREAK = f"toStartOfDay({SQL_END}) - INTERVAL {truths.BREAK_DAYS_BEFORE_END} DAY"
ACCOUNTS = """SELECT person_id, min(timestamp) AS created,
                     any(JSONExtractString(person_properties, 'company_size')) AS size,
                     any(JSONExtractString(person_properties, '$initial_utm_source')) AS source
              FROM events WHERE event = 'account_created' GROUP BY person_id"""


@pytest.fixture(scope="module")
def invoicing(tmp_path_factory: pytest.TempPathFactory) -> DemoInfo:
    return generate_demo(EVENTS, seed=SEED, home=tmp_path_factory.mktemp("invoicing"), end=END, product="invoicing")


@pytest.fixture(scope="module")
def store(invoicing: DemoInfo) -> Store:
    return Store(invoicing.home)


@pytest.fixture(scope="module")
def billfold(
    invoicing: DemoInfo, warm_home: Callable[[Path], Path], tmp_path_factory: pytest.TempPathFactory
) -> Engine:
    """One engine on the invoicing store for the module (asking is pure), on the data's end as its clock, started
    from the session's trained model."""
    return Engine(
        EmbeddedBackend(invoicing.home, generate=False),
        cache_dir=str(warm_home(tmp_path_factory.mktemp("billfold"))),
        clock=lambda: END,
    )


def test_the_store_holds_the_invoicing_product_and_its_taxonomy(invoicing: DemoInfo, store: Store) -> None:
    assert invoicing.product == "invoicing" and store.metadata()["product"] == "invoicing"
    assert store.describe().startswith("the Billfold demo (seed 42,")
    taxonomy = EmbeddedBackend(invoicing.home, generate=False).taxonomy()
    assert taxonomy.events.keys() == demo_taxonomy("invoicing").events.keys()
    assert set(taxonomy.events) == {e for [e] in rows(store, "SELECT DISTINCT event FROM events")}
    assert "signed_up" not in taxonomy.events and taxonomy.flags == {truths.FLAG: truths.VARIANTS}


def test_1_german_payments_break_at_the_release(store: Store) -> None:
    # Payments per invoice sent in the same days (so that a few big accounts weigh the same on both sides), in
    # the 30 days before the break and in the days since, German accounts against the rest.
    data = rows(
        store,
        f"""
        SELECT JSONExtractString(person_properties, 'country') = 'DE' AS german, timestamp >= {BREAK} AS after,
               countIf(event = 'payment_received') / countIf(event = 'invoice_sent') AS paid_per_sent
        FROM events WHERE event IN ('payment_received', 'invoice_sent') AND timestamp >= {BREAK} - INTERVAL 30 DAY
        GROUP BY german, after""",
    )
    paid = {(bool(g), bool(a)): v for g, a, v in data}
    assert paid[(True, True)] < 0.5 * paid[(True, False)]
    assert paid[(False, True)] > 0.8 * paid[(False, False)]
    assert rows(store, f"SELECT content FROM annotations WHERE date = {BREAK}") == [[truths.RELEASE_NOTE]]


def test_2_google_brings_most_accounts_and_partner_accounts_are_paid_most(store: Store) -> None:
    accounts = rows(store, f"SELECT source, count() FROM ({ACCOUNTS}) GROUP BY source ORDER BY count() DESC")
    assert accounts[0][0] == "google"
    paid = rows(
        store,
        """
        SELECT JSONExtractString(person_properties, '$initial_utm_source') AS source,
               sum(JSONExtractFloat(properties, 'amount')) / uniq(person_id) AS per_paid_account
        FROM events WHERE event = 'payment_received' GROUP BY source ORDER BY per_paid_account DESC""",
    )
    assert paid[0][0] == "partner" and paid[0][1] > 1.25 * paid[1][1]


def test_3_a_first_invoice_within_three_days_predicts_subscribing(store: Store) -> None:
    data = rows(
        store,
        f"""
        SELECT first_sent > 0 AND first_sent < created + INTERVAL {truths.FAST_START_DAYS} DAY AS fast,
               count() AS accounts, countIf(subscribed) AS subscribers
        FROM ({ACCOUNTS}) AS a
        LEFT JOIN (SELECT person_id, min(timestamp) AS first_sent FROM events WHERE event = 'invoice_sent'
                   GROUP BY person_id) AS s ON s.person_id = a.person_id
        LEFT JOIN (SELECT person_id, 1 AS subscribed FROM events WHERE event = 'subscription_started'
                   GROUP BY person_id) AS p ON p.person_id = a.person_id
        GROUP BY fast""",
    )
    rate = {bool(fast): subscribers / accounts for fast, accounts, subscribers in data}
    assert rate[True] > 3 * rate[False]


def test_4_smart_reminders_test_gets_paid_more(store: Store) -> None:
    data = rows(
        store,
        f"""
        SELECT variant, count() AS exposed, countIf(paid_after > 0) AS converted,
               sum(payments) / sum(sent) AS paid_per_sent
        FROM (
            SELECT x.person_id, x.variant,
                   countIf(e.event = 'payment_received' AND e.timestamp >= x.exposed_at) AS paid_after,
                   countIf(e.event = 'payment_received') AS payments, countIf(e.event = 'invoice_sent') AS sent
            FROM (SELECT person_id, min(timestamp) AS exposed_at,
                         argMin(JSONExtractString(properties, '$feature_flag_response'), timestamp) AS variant
                  FROM events WHERE event = '$feature_flag_called'
                    AND JSONExtractString(properties, '$feature_flag') = '{truths.FLAG}' GROUP BY person_id) AS x
            LEFT JOIN (SELECT person_id, event, timestamp FROM events
                       WHERE event IN ('payment_received', 'invoice_sent')) AS e ON e.person_id = x.person_id
            GROUP BY x.person_id, x.variant)
        GROUP BY variant""",
    )
    by = {variant: (exposed, converted, per_sent) for variant, exposed, converted, per_sent in data}
    (n_c, hits_c, sent_c), (n_t, hits_t, sent_t) = by["control"], by["test"]
    assert two_proportion_z(hits_c, n_c, hits_t, n_t) > 2  # significant at 5%
    assert 1.6 < sent_t / sent_c < 2.5  # planted per invoice: 0.6 / 0.3 = 2
    assert abs(n_t - n_c) < 0.15 * (n_t + n_c)  # an even split
    reminded = rows(
        store,
        """
        SELECT JSONExtractString(properties, 'reminder_type') AS kind, count() FROM events
        WHERE event = 'reminder_sent' AND person_id IN (
            SELECT person_id FROM events WHERE event = '$feature_flag_called'
              AND JSONExtractString(properties, '$feature_flag_response') = 'control')
        GROUP BY kind""",
    )
    assert [kind for kind, _ in reminded] == ["manual"]  # control never gets automatic reminders


def test_5_working_weeks_and_the_turn_of_the_month(store: Store) -> None:
    days = rows(
        store,
        f"""
        SELECT toDayOfWeek(timestamp) >= 6 AS weekend, count() / uniq(toDate(timestamp))
        FROM events WHERE timestamp < toStartOfDay({SQL_END}) GROUP BY weekend""",
    )
    per_day = {bool(w): v for w, v in days}
    assert per_day[False] > 3 * per_day[True]
    # Sent invoices per working day: the last and first two days of a month against the other working days,
    # over the last eight weeks (the product grows: earlier weeks would weigh differently).
    turn = rows(
        store,
        f"""
        SELECT toDayOfMonth(timestamp) <= 2 OR toMonth(timestamp + INTERVAL 2 DAY) != toMonth(timestamp) AS turn,
               count() / uniq(toDate(timestamp))
        FROM events WHERE event = 'invoice_sent' AND toDayOfWeek(timestamp) <= 5
          AND timestamp >= toStartOfDay({SQL_END}) - INTERVAL 56 DAY AND timestamp < toStartOfDay({SQL_END})
        GROUP BY turn""",
    )
    sent = {bool(t): v for t, v in turn}
    assert sent[True] > 1.7 * sent[False]


def test_6_bigger_companies_keep_coming_back(store: Store) -> None:
    # Accounts created at least six weeks before the end: did they view a page in their fifth week (days 28-34)?
    data = rows(
        store,
        f"""
        SELECT size IN ('11-50', '51-200') AS bigger, size = '1' AS solo, count() AS accounts,
               countIf(back) AS retained
        FROM (SELECT a.person_id, any(a.size) AS size,
                     countIf(e.timestamp >= a.created + INTERVAL 28 DAY AND e.timestamp < a.created + INTERVAL 35 DAY)
                         > 0 AS back
              FROM ({ACCOUNTS}) AS a
              LEFT JOIN (SELECT person_id, timestamp FROM events WHERE event = '$pageview') AS e
                ON e.person_id = a.person_id
              WHERE a.created < {SQL_END} - INTERVAL 42 DAY GROUP BY a.person_id)
        GROUP BY bigger, solo""",
    )
    rate = {(bool(b), bool(s)): r / n for b, s, n, r in data}
    assert rate[(True, False)] > 2 * rate[(False, True)]
    assert rate[(True, False)] > rate[(False, False)] > rate[(False, True)]  # 2-10 in between


def test_an_engine_on_the_invoicing_store_counts_its_events(billfold: Engine, store: Store) -> None:
    answer = billfold.ask("how many invoices were sent in the last 30 days?")
    assert answer.clarification is None and answer.values["event"] == "invoice_sent"
    expected = rows(
        store,
        f"SELECT count() FROM events WHERE event = 'invoice_sent' AND timestamp >= {SQL_END} - INTERVAL 30 DAY "
        f"AND timestamp < {SQL_END}",
    )
    table = answer.run()
    assert table.rows == ((expected[0][0],),) and expected[0][0] > 100


@pytest.fixture
def cli_home(tmp_path: Path, warm_home: Callable[[Path], Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = warm_home(tmp_path / "home")
    monkeypatch.setenv("ASKHOG_HOME", str(home))
    monkeypatch.delenv("POSTHOG_PERSONAL_API_KEY", raising=False)
    yield home
    Store.release()


def test_the_cli_generates_the_product_it_is_asked_for_and_answers_from_it(
    cli_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    now = ["--now", "2026-11-26T12:00"]
    assert cli.main(["demo", "--product", "invoicing", "--events", "3000", *now]) == 0
    out = capsys.readouterr().out
    assert out.startswith("generated the Billfold demo: ") and "ending 2026-11-26 12:00 UTC" in out
    meta = Store(cli_home).metadata()
    assert meta["product"] == "invoicing" and meta["end"] == END.isoformat()
    assert cli.main(["ask", "--json", *now, "how many invoices were sent in the last 30 days?"]) == 0
    answer = json.loads(capsys.readouterr().out)
    expected = rows(
        Store(cli_home),
        f"SELECT count() FROM events WHERE event = 'invoice_sent' AND timestamp >= {SQL_END} - INTERVAL 30 DAY",
    )
    assert answer["values"]["event"] == "invoice_sent" and answer["result"]["rows"] == expected
    assert cli.main(["ask", "--examples"]) == 0
    examples = capsys.readouterr().out
    assert "account_created" in examples and "signed_up" not in examples
    assert cli.main(["demo", "--events", "3000", "--now", "2026-11-26T12:00"]) == 0
    assert "generated the Paperplane demo: " in capsys.readouterr().out
    assert Store(cli_home).metadata()["product"] == "paperplane"
    with pytest.raises(SystemExit):
        cli.main(["demo", "--product", "nosuchproduct"])
    assert "invalid choice" in capsys.readouterr().err


def test_a_stale_invoicing_demo_is_regenerated_as_invoicing(tmp_path: Path) -> None:
    generate_demo(2_000, seed=3, home=tmp_path, end=END, product="invoicing")
    later = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    backend = EmbeddedBackend(tmp_path, progress=None, clock=lambda: later)
    assert "invoice_sent" in backend.taxonomy().events
    meta = backend.info()
    assert meta["product"] == "invoicing" and meta["end"] == later.isoformat() and meta["seed"] == "3"


def test_labelled_sets_about_the_invoicing_product_are_evaluated_on_its_pinned_data(
    cli_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`askhog eval --product invoicing` asks a set written about Billfold of Billfold's pinned data (seed 42, 200k
    events, ending at the execution sets' moment), for intent labels and, with --execute, truths; without the flag
    the same questions are asked of Paperplane, which has no invoices."""
    labelled = tmp_path / "labelled.yaml"
    labelled.write_text('- question: "how many invoices were sent last week?"\n  intent: count\n', encoding="utf-8")
    executed = tmp_path / "exec.yaml"
    executed.write_text(
        '- question: "how many invoices were sent last week?"\n  intent: count\n  detail: plain\n  match: number\n'
        "  truth: SELECT count() FROM events WHERE event = 'invoice_sent' AND timestamp >= '2026-11-16' "
        "AND timestamp < '2026-11-23'\n  note: sent invoices\n",
        encoding="utf-8",
    )
    assert cli.main(["eval", "--product", "invoicing", "--json", str(labelled)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["overall"]["intent_accuracy"] == 1.0
    assert cli.main(["eval", "--product", "invoicing", "--execute", "--json", str(executed)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["overall"]["right"] == 1
    assert cli.main(["eval", "--execute", "--json", str(executed)]) == 0
    assert json.loads(capsys.readouterr().out)["overall"]["right"] == 0


def test_a_product_with_other_names_is_read_by_its_own_words_and_asked_where_a_role_is_missing(
    billfold: Engine, store: Store
) -> None:
    """Billfold's names, none in the lexicon: a word of an event's own name names it ("payments",
    "invoices were sent"), the roles are found without PostHog's events (no "feature" role from
    ``$feature_flag_called``), and a family whose role no event plays asks which event (activation rendered with
    no event and failed); a funnel from the signup alone goes on to the revenue event; revenue counts its own event."""
    assert billfold.ask("payments by country last week").values["event"] == "payment_received"
    assert billfold.ask("how many invoices were sent last week").values["event"] == "invoice_sent"
    assert billfold.ask("how many reports were exported last week").values["event"] == "report_exported"
    assert "feature_event" not in billfold.roles and billfold.roles["revenue_event"] == "payment_received"
    answer = billfold.ask("what is our activation rate for october signups?")
    assert answer.clarification is not None and answer.clarification.questions[0].slot == "activation_event"
    assert "invoice_sent" in answer.clarification.questions[0].options
    funnel = billfold.ask("show me the conversion funnel")
    assert funnel.clarification is not None and "payment_received" in funnel.clarification.questions[0].options
    steps = billfold.ask("funnel from account_created").slots["steps"]
    assert [e.name for e in steps] == ["account_created", "payment_received"]
    answer = billfold.ask("revenue last month")
    assert "payment_received events" in answer.interpret(answer.run()).text()


def test_the_lexicons_role_words_name_the_event_that_plays_the_role(billfold: Engine, store: Store) -> None:
    """The lexicon's words for a role ("signups", "new accounts"; "paid", "payments") name whichever event plays
    it: Billfold's ``account_created`` and ``payment_received`` (they counted every event); its flag, named alone,
    is asked about as its experiment (it was refused)."""
    (created,) = rows(
        store,
        "SELECT count(DISTINCT person_id) FROM events WHERE event = 'account_created' "
        "AND timestamp >= '2026-11-16' AND timestamp < '2026-11-23'",
    )
    for question in ("how many new accounts last week", "how many people signed up last week"):
        answer = billfold.ask(question)
        assert answer.values["event"] == "account_created" and answer.run().rows[0][0] == created[0], question
    assert billfold.ask("which industry pays the most").values["event"] == "payment_received"
    assert billfold.ask("did smart reminders work?").intent == "experiment"


def test_billfolds_own_words_amounts_and_currencies(billfold: Engine, store: Store) -> None:
    """An average of the one event named is of its one amount ("avg payment size": it counted payments); a
    currency and a demonym are values of the project's own properties ("GBP revenue", "German accounts": they
    were dropped); "starting from Monday Oct 5" is since then (it was that day); an action the project tracks no
    event for is asked about ("scanned receipts": it counted every event); a transposed word is read as meant."""
    (avg,) = rows(
        store,
        "SELECT round(avg(JSONExtractFloat(properties, 'amount')), 2) FROM events WHERE event = 'payment_received' "
        "AND timestamp >= '2026-11-16' AND timestamp < '2026-11-23'",
    )
    answer = billfold.ask("avg payment size last week?")
    assert answer.slots["measure"] == "avg" and round(answer.run().rows[0][0], 2) == avg[0]
    answer = billfold.ask("GBP revenue in oct")
    assert [(f.prop.name, f.value) for f in answer.slots["filters"]] == [("currency", "GBP")]
    answer = billfold.ask("how many payments from german accounts last week")
    assert [(f.prop.name, f.value) for f in answer.slots["filters"]] == [("country", "DE")]
    answer = billfold.ask("Weekly invoices sent, starting from Monday Oct 5")
    assert (
        answer.slots["time_range"].start == datetime(2026, 10, 5, tzinfo=UTC) and answer.slots["time_range"].end == END
    )
    answer = billfold.ask("how many users scanned receipts with the mobile app last month?")
    assert answer.clarification is not None and "'scanned receipts'" in answer.clarification.questions[0].prompt
    assert billfold.ask("whcih report type gets exported the most?").slots["event"].name == "report_exported"


def test_money_words_are_the_revenue_event_and_a_paid_plan_is_a_plan(billfold: Engine, store: Store) -> None:
    """ "money received", "revenue" sum the revenue event's amount, whichever event plays the role (the lexicon's
    metric named Paperplane's purchase, so Billfold's people were ranked by every event's amount); "a paid
    subscription" is the subscription, not a payment."""
    truth = rows(
        store,
        "SELECT toString(person_id), sum(JSONExtractFloat(properties, 'amount')) AS s FROM events "
        "WHERE event = 'payment_received' AND timestamp >= '2026-10-01' AND timestamp < '2026-11-01' "
        "GROUP BY person_id ORDER BY s DESC LIMIT 3",
    )
    answer = billfold.ask("top 3 accounts by money received in october, emails pls")
    assert answer.slots["event"].name == "payment_received" and answer.slots["rank"] == "amount"
    assert [str(r["person_id"]) for r in answer.run().records()] == [row[0] for row in truth]
    answer = billfold.ask("how many accounts started a paid subscription last month")
    assert answer.slots["event"].name == "subscription_started"


def test_a_percentile_of_a_named_amount_is_a_count_not_a_time_between_events(billfold: Engine) -> None:
    """ "90th percentile invoice amount in October" is a statistic of the amount (it was asked as a time between
    two events, the percentile's usual home); "invoice" beside "invoices sent" is the sent one."""
    answer = billfold.ask("90th percentile payment amount for payments received in October")
    assert answer.intent == "count" and answer.slots["measure"] == "p90"
    assert answer.slots["property"].name == "amount" and answer.slots["event"].name == "payment_received"
    answer = billfold.ask("90th percentile invoice amount, invoices sent in October")  # the bare noun is the named one
    assert answer.slots["event"].name == "invoice_sent" and not answer.caveats


def test_an_irregular_past_form_meets_its_verb(billfold: Engine) -> None:
    """ "how many invoices did we send" is ``invoice_sent`` ("send" and "sent" are one stem; it was the first
    invoice event, ``invoice_created``); "send invoices" alone is still a request to do it, refused."""
    assert billfold.ask("how many invoices did we send last week").slots["event"].name == "invoice_sent"
    assert billfold.ask("send invoices last week").intent == "out_of_scope"


def test_a_value_of_the_events_own_property_is_how_it_happened_not_a_grouping(billfold: Engine, store: Store) -> None:
    """ "invoices sent by email" are the ones delivered by email (they were grouped by each person's email
    address), "email vs link delivery" compares the two deliveries (it was refused), and "sent by country" is
    still a grouping: the word names no value of the event's own properties."""
    answer = billfold.ask("average invoice amount for invoices sent by email in the last 14 days")
    assert answer.intent == "count" and answer.slots["measure"] == "avg"
    (only,) = answer.slots["filters"]
    assert (only.prop.name, only.op, only.value) == ("delivery", "=", "email") and not answer.slots.get("breakdown")
    truth = store.scalar(
        "SELECT avg(JSONExtractFloat(properties, 'amount')) FROM events WHERE event = 'invoice_sent' "
        "AND JSONExtractString(properties, 'delivery') = 'email' AND timestamp >= '2026-11-12 12:00:00' "
        "AND timestamp < '2026-11-26 12:00:00'"
    )
    assert answer.run().rows[0][0] == pytest.approx(float(truth), rel=1e-3)
    compared = billfold.ask("Invoices we sent last 30 days: email vs link delivery")
    assert compared.intent == "breakdown" and compared.clarification is None
    split = compared.slots["breakdown"]
    assert split.property.name == "delivery" and split.values == ("email", "link")
    grouped = billfold.ask("invoices sent by country last week")
    assert grouped.intent == "breakdown" and grouped.slots["breakdown"].name == "country"


def test_a_verb_meets_its_latin_noun_and_a_conversion_split_is_a_funnel(billfold: Engine, store: Store) -> None:
    """ "haven't subscribed" is not ``subscription_started`` (the negation was dropped: every pricing-page viewer
    was counted); a conversion "split by country" is a funnel by country (it ranked the first step's events);
    "by delivery method" is by ``delivery``; "since the start of September" runs from Sep 1 (not all the data)."""
    truth = store.scalar(
        "SELECT count(DISTINCT person_id) FROM events WHERE event = '$pageview' AND JSONExtractString(properties, "
        "'$pathname') = '/pricing' AND timestamp >= '2026-10-27 12:00:00' AND timestamp < '2026-11-26 12:00:00' "
        "AND person_id NOT IN (SELECT person_id FROM events WHERE event = 'subscription_started' "
        "AND timestamp >= '2026-10-27 12:00:00')"
    )
    answer = billfold.ask("how many people looked at the pricing page in the past 30 days but still haven't subscribed")
    assert answer.intent == "count" and answer.run().rows[0][0] == int(truth)
    funnel = billfold.ask("invoice_viewed to payment_received conversion, split by country")
    assert funnel.intent == "funnel" and funnel.slots["breakdown"].name == "country" and not funnel.caveats
    split = billfold.ask("break down invoices sent by delivery method (email vs link)")
    assert split.intent == "breakdown" and split.clarification is None
    assert split.slots["breakdown"].property.name == "delivery"
    monthly = billfold.ask("Monthly revenue since the start of September")
    assert monthly.slots["time_range"].start.date().isoformat() == "2026-09-01"


def test_the_events_own_word_after_its_typod_noun_is_no_unknown_state(billfold: Engine, store: Store) -> None:
    """ "how many clinets got added": "clinets" is client_added despite the typo, and "added" is that event's own
    word, not a state the project does not track (it was asked about)."""
    answer = billfold.ask("how many clinets got added this month")
    assert answer.clarification is None and answer.slots["event"].name == "client_added"
    truth = store.scalar(
        "SELECT count() FROM events WHERE event = 'client_added' AND timestamp >= '2026-11-01' "
        "AND timestamp < '2026-11-26 12:00:00'"
    )
    assert answer.run().rows[0][0] == int(truth)


def test_a_thing_and_the_state_another_event_records(billfold: Engine, store: Store) -> None:
    """ "how many invoices were paid by card" counts the payments by card (it counted invoices created with a
    payment method they never carry: 0, with "paid" unread)."""
    answer = billfold.ask("how many invoices were paid by card last month")
    assert answer.slots["event"].name == "payment_received" and not answer.caveats
    truth = store.scalar(
        "SELECT count() FROM events WHERE event = 'payment_received' AND JSONExtractString(properties, "
        "'payment_method') = 'card' AND timestamp >= '2026-10-01' AND timestamp < '2026-11-01'"
    )
    assert answer.run().rows[0][0] == int(truth) > 0


def test_who_pays_is_no_event_and_paying_more_is_money(billfold: Engine, store: Store) -> None:
    """ "clients have paid them", "paid by their clients", "money received from their clients": the clients are
    who paid, not the event of adding a client (it summed the amount of client_added: 0); "did clients pay more
    in October than September" compares the amounts paid, not the count of payments; "weren't in US dollars" is
    a currency filter."""
    paid = (
        "SELECT sum(JSONExtractFloat(properties, 'amount')) FROM events WHERE event = 'payment_received' "
        "AND timestamp >= '{}' AND timestamp < '{}'"
    )
    this_month = store.scalar(paid.format("2026-11-01", "2026-11-26 12:00:00"))
    assert this_month > 0
    for question in (
        "Total amount our users' clients have paid them so far this month?",
        "how much did accounts get paid by their clients this month",
    ):
        answer = billfold.ask(question)
        assert not answer.caveats and answer.run().rows[0][0] == pytest.approx(this_month), question
    answer = billfold.ask("Did clients pay more in October than in September? Need both totals")
    october, september = (
        store.scalar(paid.format(*r)) for r in (("2026-10-01", "2026-11-01"), ("2026-09-01", "2026-10-01"))
    )
    assert dict(answer.run().rows) == {"current": pytest.approx(october), "previous": pytest.approx(september)}
    ranked = billfold.ask("top 5 accounts by money received from their clients in October")
    assert ranked.slots["event"].name == "payment_received" and ranked.slots["rank"] == "amount"
    answer = billfold.ask("invoices sent last month that werent in US dollars - how many?")
    assert answer.slots["filters"][0].label() == "currency != 'USD'" and not answer.caveats
    truth = store.scalar(
        "SELECT count() FROM events WHERE event = 'invoice_sent' AND JSONExtractString(properties, 'currency') "
        "!= 'USD' AND timestamp >= '2026-10-01' AND timestamp < '2026-11-01'"
    )
    assert answer.run().rows[0][0] == int(truth) > 0


def test_a_single_sessions_scope_that_paths_do_not_keep_is_reported(billfold: Engine) -> None:
    """ "Which page do they go to next in that session" follows each person's pages, not one session's: the answer
    says it did not use "in that session" (it said nothing)."""
    answer = billfold.ask(
        "after someone looks at the pricing page, which page do they usually go to next in that session?"
    )
    assert answer.intent == "paths" and any("'in that session'" in str(c) for c in answer.caveats)


def test_the_share_of_active_accounts_who_did_something(billfold: Engine, store: Store) -> None:
    """ "What % of people active in the last 30 days exported a report?" is one share of the active people (it asked
    whether it was a count or an activation)."""
    active = (
        "SELECT DISTINCT person_id FROM events WHERE timestamp >= toDateTime64('2026-10-27 12:00:00', 6, 'UTC') "
        f"AND timestamp < {SQL_END}"
    )
    share = store.scalar(
        f"SELECT 100 * countIf(person_id IN (SELECT person_id FROM events WHERE event = 'report_exported' AND "
        f"timestamp >= toDateTime64('2026-10-27 12:00:00', 6, 'UTC') AND timestamp < {SQL_END})) / count() "
        f"FROM ({active})"
    )
    answer = billfold.ask("what % of people active in the last 30 days exported a report?")
    assert answer.clarification is None and answer.intent == "count" and answer.slots["share"] == "of_active"
    assert answer.interpret(answer.run()).figures[0].value == pytest.approx(share, abs=0.01)


def test_a_filter_only_one_listed_feature_carries_narrows_that_one(billfold: Engine, store: Store) -> None:
    """ "Adding clients, sending invoices, manual reminders or report exports": "manual" narrows the reminders only
    (as a filter of the whole query it dropped the three other events)."""
    since = "toDateTime64('2026-10-27 12:00:00', 6, 'UTC')"
    truth = store.json(
        "SELECT event, uniqExact(person_id) AS users FROM events WHERE (event IN ('client_added', 'invoice_sent', "
        "'report_exported') OR (event = 'reminder_sent' AND JSONExtractString(properties, 'reminder_type') = "
        f"'manual')) AND timestamp >= {since} AND timestamp < {SQL_END} GROUP BY event ORDER BY users DESC"
    )["data"]
    answer = billfold.ask(
        "Which feature reached the most accounts in the past 30 days: adding clients, sending invoices, manual "
        "reminders or report exports? rank them"
    )
    assert answer.clarification is None and not answer.slots.get("filters")
    assert [len(e.filters) for e in answer.slots["among"]] == [0, 0, 1, 0]
    assert list(answer.interpret(answer.run()).ranking) == [(name, float(users)) for name, users in truth]


def test_a_plan_named_before_people_is_the_persons_and_the_longest_silent_look_back_over_all_data(
    billfold: Engine, store: Store
) -> None:
    """ "Business customers who've gone quiet, the longest first": ``plan`` is both the person's and the subscription
    event's own property; before "customers" it is the person's (it read the subscription event narrowed to the
    business plan, so last seen was the day they subscribed), and ranking by silence looks back over all the data
    (the default 60 days capped every silence at 60)."""
    truth = store.json(
        "SELECT person_id FROM events WHERE JSONExtractString(person_properties, 'plan') = 'business' "
        f"GROUP BY person_id HAVING max(timestamp) < {SQL_END} - INTERVAL 14 DAY "
        "ORDER BY max(timestamp), person_id LIMIT 3"
    )["data"]
    answer = billfold.ask("business customers who've gone quiet: which 3 have gone the longest with no events at all?")
    assert answer.clarification is None and answer.intent == "churn_risk" and answer.slots.get("event") is None
    assert [f.prop.scope for f in answer.slots["filters"]] == ["person"]
    assert answer.slots["rank"] == "silence" and answer.slots["time_range"].spec == {"all": True}
    assert answer.slots["limit"] == 3  # "which 3 have gone...": the people counted off (it listed 100)
    table = answer.run()
    assert [row[0] for row in table.rows[:3]] == [row[0] for row in truth]


def test_a_size_band_beside_what_it_counts_and_the_verb_that_says_which_invoices(
    billfold: Engine, store: Store
) -> None:
    """ "How many invoices did companies with 2-10 employees send": the band is a company size only beside what it
    counts (an "employees" question was refused as outside data, "2-10 nov" stays dates), and the verb after the
    noun says which invoice event (it counted invoices created)."""
    (truth,) = store.json(
        "SELECT count() FROM events WHERE event = 'invoice_sent' AND JSONExtractString(person_properties, "
        "'company_size') = '2-10' AND timestamp >= '2026-11-16' AND timestamp < '2026-11-23'"
    )["data"][0]
    answer = billfold.ask("how many invoices did companies with 2-10 employees send last week")
    assert answer.clarification is None and answer.slots["event"].name == "invoice_sent"
    assert [(f.prop.name, f.value) for f in answer.slots["filters"]] == [("company_size", "2-10")]
    assert answer.interpret(answer.run()).figures[0].value == truth
    dated = billfold.ask("invoices sent 2-10 nov")
    assert not dated.slots.get("filters") and dated.slots["time_range"].start.day == 2


def test_a_property_said_then_its_value_and_the_noun_of_the_event_that_carries_it(
    billfold: Engine, store: Store
) -> None:
    """ "NOT delivered by email" is ``delivery`` != email (it grouped by the person's email and dropped the "not"),
    and "invoices delivered by email" are the sent ones, the only invoice event with a delivery (it counted invoices
    created where delivery is email: 0)."""
    week = "timestamp >= '2026-11-16' AND timestamp < '2026-11-23'"
    for question, op in (
        ("invoices sent last week that were NOT delivered by email - how many?", "!="),
        ("invoices delivered by email last week", "="),
    ):
        (truth,) = store.json(
            f"SELECT count() FROM events WHERE event = 'invoice_sent' AND JSONExtractString(properties, 'delivery') "
            f"{op} 'email' AND {week}"
        )["data"][0]
        answer = billfold.ask(question)
        assert answer.intent == "count" and answer.slots["event"].name == "invoice_sent"
        assert answer.interpret(answer.run()).figures[0].value == truth and not answer.caveats


def test_money_collected_paying_customers_and_what_is_signed_up_for(billfold: Engine, store: Store) -> None:
    """ "Total collected" is money (it counted the payments); where the revenue event is the clients' payments, the
    product's paying customers are its subscribers (``subscription_event``), and "signed up for a paid plan" is
    that subscription, not the signup; "(no pageviews) in the last 14 days" is how long they have been silent."""
    (collected,) = store.json(
        "SELECT sum(JSONExtractFloat(properties, 'amount')) FROM events WHERE event = 'payment_received' AND "
        "JSONExtractString(properties, 'payment_method') = 'card' AND timestamp >= '2026-11-16' AND "
        "timestamp < '2026-11-23'"
    )["data"][0]
    answer = billfold.ask("total collected via card payments last week")
    assert answer.interpret(answer.run()).figures[0].value == pytest.approx(collected)
    (subscribers,) = store.json("SELECT uniqExact(person_id) FROM events WHERE event = 'subscription_started'")["data"][
        0
    ]
    answer = billfold.ask("In total, how many accounts have ever signed up for a paid plan?")
    assert answer.slots["event"].name == "subscription_started" and not answer.caveats
    assert answer.interpret(answer.run()).figures[0].value == subscribers
    quiet = billfold.ask(
        "who are the paying customers that haven't opened the app (no pageviews) in the last 14 days? show me the "
        "3 who've been gone the longest"
    )
    assert quiet.slots["silent_days"] == 14 and quiet.slots["event"].name == "$pageview"
    assert quiet.slots["limit"] == 3  # "show me the 3 who've been gone the longest"
    assert [c.event.name for c in quiet.slots["conditions"]] == ["subscription_started"]


def test_a_slip_in_the_verb_of_an_events_name_is_part_of_the_name(billfold: Engine, store: Store) -> None:
    """ "payments recieved from nov 1st through nov 10th?": the misspelt verb of ``payment_received`` is read as
    part of it (left over as an unknown word, it sent the question to a funnel-or-refusal question)."""
    (truth,) = store.json(
        "SELECT count() FROM events WHERE event = 'payment_received' AND timestamp >= '2026-11-01' AND "
        "timestamp < '2026-11-11'"
    )["data"][0]
    answer = billfold.ask("payments recieved from nov 1st through nov 10th?")
    assert answer.clarification is None and answer.intent == "count"
    assert answer.interpret(answer.run()).figures[0].value == truth


def test_subscribers_are_who_is_followed_not_the_activity(billfold: Engine, store: Store) -> None:
    """ "Business-plan subscribers ... who've gone quiet": subscribers are people who subscribed (a condition), and
    going quiet is about any event (it read the subscription as the activity, so everyone who subscribed more than
    14 days ago had "gone quiet")."""
    truth = store.json(
        "SELECT person_id FROM events WHERE person_id IN (SELECT person_id FROM events WHERE event = "
        "'subscription_started') AND JSONExtractString(person_properties, 'plan') = 'business' AND "
        f"JSONExtractString(person_properties, 'company_size') = '51-200' GROUP BY person_id "
        f"HAVING max(timestamp) < {SQL_END} - INTERVAL 14 DAY"
    )["data"]
    answer = billfold.ask(
        "list the business-plan subscribers from 51-200 person companies who've gone quiet (no events at all in the "
        "past 14 days)"
    )
    assert answer.intent == "churn_risk" and answer.slots.get("event") is None
    assert [c.event.name for c in answer.slots["conditions"]] == ["subscription_started"]
    assert sorted(str(r["person_id"]) for r in answer.run().records()) == sorted(str(r[0]) for r in truth)


def test_a_count_or_a_quantity_word_between_a_verb_and_its_noun_keeps_the_event(billfold: Engine, store: Store) -> None:
    """ "Sent atleast 3 invoices": the verb before the noun says which of the invoice events (it counted drafted
    invoices), and "atleast" is "at least" (the threshold was dropped silently: every sender was counted); "sent
    reminders for invoices" still counts reminders."""
    (truth,) = store.json(
        "SELECT count() FROM (SELECT person_id FROM events WHERE event = 'invoice_sent' AND timestamp >= "
        "'2026-11-16' AND timestamp < '2026-11-23' GROUP BY person_id HAVING count() >= 3)"
    )["data"][0]
    for question in (
        "how many accounts sent atleast 3 invoices last week",
        "how many accounts sent at least 3 invoices last week",
    ):
        answer = billfold.ask(question)
        assert answer.slots["event"].name == "invoice_sent" and answer.slots["conditions"][0].min_count == 3
        assert answer.interpret(answer.run()).figures[0].value == truth
    single = billfold.ask("how many accounts sent a single invoice last week")
    assert single.slots["event"].name == "invoice_sent"
    reminders = billfold.ask("accounts that sent reminders for invoices last week")
    assert reminders.slots["event"].name == "reminder_sent"


def test_money_from_an_event_that_carries_no_amount_is_the_revenue_events_and_paying_subscribers_subscribed(
    billfold: Engine, store: Store
) -> None:
    """ "Total money collected from clients in the last 7 days? just add up all currencies": the money is the
    revenue event's amount (it summed the amount of ``client_added``, which has none, and a word after the "?" was
    read as part of the event's name: 0 was stated); the clients are reported unused. "Paying subscribers" are
    people who subscribed (not also people who were paid)."""
    (truth,) = store.json(
        "SELECT round(sum(JSONExtractFloat(properties, 'amount')), 2) FROM events WHERE event = "
        f"'payment_received' AND timestamp >= {SQL_END} - INTERVAL 7 DAY AND timestamp < {SQL_END}"
    )["data"][0]
    answer = billfold.ask("total money collected from clients in the last 7 days? just add up all currencies")
    assert answer.slots["event"].name == "payment_received"
    assert answer.interpret(answer.run()).figures[0].value == pytest.approx(truth)
    assert any("'clients'" in c.message for c in answer.caveats)
    quiet = billfold.ask("which of our paying subscribers have had no events in the past 14 days?")
    assert [c.event.name for c in quiet.slots["conditions"]] == ["subscription_started"]


def test_retention_of_named_values_side_by_side(billfold: Engine, store: Store) -> None:
    """ "Week 2 retention for September signups, one-person businesses vs companies of 11-50 people": each value's
    cohorts are followed on their own and both rates are stated (the split was reported unused and one rate for
    everyone stated); "one-person" and "company size 11-50" name the size bands."""
    truth = store.json(
        "SELECT size, 100 * countIf(back) / count() FROM (SELECT c.person_id, any(c.size) AS size, countIf("
        "e.timestamp >= c.wk + INTERVAL 14 DAY AND e.timestamp < c.wk + INTERVAL 21 DAY) > 0 AS back FROM (SELECT "
        "person_id, toStartOfWeek(min(timestamp), 1) AS wk, argMin(JSONExtractString(person_properties, "
        "'company_size'), timestamp) AS size FROM events WHERE event = 'account_created' AND timestamp >= "
        "'2026-09-01' AND timestamp < '2026-10-01' GROUP BY person_id HAVING size IN ('1', '11-50')) AS c LEFT JOIN "
        "events AS e ON e.person_id = c.person_id GROUP BY c.person_id) GROUP BY size ORDER BY size"
    )["data"]
    for question in (
        "week 2 retention for september signups, one-person businesses vs companies of 11-50 people",
        "week 2 retention for september signups: company size 1 vs company size 11-50",
    ):
        answer = billfold.ask(question)
        assert answer.intent == "retention" and answer.slots["segments"].values == ("1", "11-50"), question
        assert not answer.caveats
        stated = {f.name: f.value for f in answer.interpret(answer.run()).figures}
        assert stated == {f"{size} week 2": pytest.approx(rate, abs=0.05) for size, rate in truth}


def test_people_ranked_by_money_collected(billfold: Engine, store: Store) -> None:
    """ "Top 5 accounts by USD collected in October": ranked by the amount collected (they were ranked by how many
    payments, and "by USD collected" was reported as an unknown grouping)."""
    truth = store.json(
        "SELECT person_id FROM events WHERE event = 'payment_received' AND JSONExtractString(properties, "
        "'currency') = 'USD' AND timestamp >= '2026-10-01' AND timestamp < '2026-11-01' GROUP BY person_id ORDER BY "
        "sum(JSONExtractFloat(properties, 'amount')) DESC LIMIT 5"
    )["data"]
    answer = billfold.ask("top 5 accounts by USD collected in October (payment_received amounts in USD only)")
    assert answer.slots["rank"] == "amount" and not answer.caveats
    assert [str(r["person_id"]) for r in answer.run().records()] == [str(r[0]) for r in truth]


def test_how_many_churned_is_churn_not_one_plain_count(billfold: Engine) -> None:
    """ "How many accounts have churned this month?" counts the accounts gone silent (it asked between churn and
    one plain number, which has nothing to count churn with)."""
    answer = billfold.ask("How many accounts have churned this month?")
    assert answer.clarification is None and answer.intent == "churn_risk"
    assert answer.interpret(answer.run()).figures[0].value > 0


def test_a_feature_named_after_a_verb_of_using_is_asked_about(billfold: Engine) -> None:
    """ "How many accounts used recurring invoices last week?": "recurring" names a feature the project does not
    track, asked about (every account that drafted an invoice was counted, silently)."""
    answer = billfold.ask("How many accounts used recurring invoices last week?")
    assert answer.clarification is not None and "'recurring'" in answer.clarification.text()


def test_events_set_aside_are_left_out_of_the_paths(billfold: Engine, store: Store) -> None:
    """ "What's the first thing they do after account_created, ignoring pageviews and $identify?": the paths leave
    those events out (it kept only the people who never viewed a page nor logged in: nobody)."""
    truth = store.json(
        "SELECT next, count() AS n FROM (SELECT person_id, arrayFilter(e -> e NOT IN ('$pageview', '$pageleave', "
        "'$identify'), arrayMap(t -> t.2, arraySort(t -> t.1, groupArray((timestamp, event))))) AS j, "
        "indexOf(j, 'account_created') AS at, j[at + 1] AS next FROM events WHERE timestamp < "
        f"{SQL_END} GROUP BY person_id HAVING at > 0 AND next != '') GROUP BY next ORDER BY n DESC, next LIMIT 3"
    )["data"]
    answer = billfold.ask(
        "ever since launch: what's the first thing people do after account_created, ignoring pageviews and "
        "$identify? top 3 next events"
    )
    assert [e.name for e in answer.slots["leave_out"]] == ["$pageview", "$identify"]
    assert not answer.slots.get("conditions") and "leaving out $pageview, $identify" in answer.explain()
    rows = answer.run().records()
    assert [(r["path"].split(" → ")[-1], r["users"]) for r in rows] == [(e, n) for e, n in truth]


def test_a_bare_value_after_vs_is_the_other_side_and_businesses_are_the_customers(
    billfold: Engine, store: Store
) -> None:
    """ "Month-1 retention of September signups, solo businesses (company_size 1) vs 11-50": "11-50" is the other
    side of the comparison (left alone, it was no value at all), and "businesses" are the customers, not the plan
    called business (which emptied the answer)."""
    truth = store.json(
        "SELECT size, 100 * countIf(back) / count() FROM (SELECT c.person_id, any(c.size) AS size, countIf("
        "e.timestamp >= toStartOfMonth(c.s) + INTERVAL 1 MONTH AND e.timestamp < toStartOfMonth(c.s) + INTERVAL 2 "
        "MONTH) > 0 AS back FROM (SELECT person_id, min(timestamp) AS s, argMin(JSONExtractString(person_properties, "
        "'company_size'), timestamp) AS size FROM events WHERE event = 'account_created' AND timestamp >= '2026-09-01' "
        "AND timestamp < '2026-10-01' GROUP BY person_id HAVING size IN ('1', '11-50')) AS c LEFT JOIN events AS e ON "
        "e.person_id = c.person_id GROUP BY c.person_id) GROUP BY size ORDER BY size"
    )["data"]
    answer = billfold.ask("Month-1 retention of September signups, solo businesses (company_size 1) vs 11-50")
    assert answer.slots["segments"].values == ("1", "11-50") and not answer.slots.get("filters")
    stated = {f.name: f.value for f in answer.interpret(answer.run()).figures}
    assert stated == {f"{size} month 1": pytest.approx(rate, abs=0.05) for size, rate in truth}


def test_accounts_are_the_people_who_created_one(billfold: Engine, store: Store) -> None:
    """ "How many accounts that were active in October haven't done anything since Nov 1st?": where the signup event
    is named for the people counted (``account_created``), accounts are the people who created one, not every
    visitor (the website's visitors were counted as accounts gone quiet, silently)."""
    (truth,) = store.json(
        "SELECT uniqExact(person_id) FROM events WHERE timestamp >= '2026-10-01' AND timestamp < '2026-11-01' AND "
        "person_id IN (SELECT person_id FROM events WHERE event = 'account_created') AND person_id NOT IN (SELECT "
        "person_id FROM events WHERE timestamp >= '2026-11-01')"
    )["data"][0]
    answer = billfold.ask("how many accounts that were active in october haven't done anything since nov 1st?")
    assert [c.event.name for c in answer.slots["conditions"]] == ["account_created"]
    assert answer.run().records()[0]["total"] == truth


def test_buying_a_plan_is_subscribing_within_a_week(billfold: Engine, store: Store) -> None:
    """ "How many bought a plan within a week of signing up": a plan is bought by subscribing (it counted clients'
    payments); "within a week" is a 7-day window."""
    (activated,) = store.json(
        "SELECT countIf(sub > 0 AND sub >= created AND sub < created + INTERVAL 7 DAY) FROM (SELECT person_id, "
        "minIf(timestamp, event = 'account_created') AS created, minIf(timestamp, event = 'subscription_started') "
        "AS sub FROM events GROUP BY person_id HAVING created >= '2026-10-01' AND created < '2026-11-01')"
    )["data"][0]
    answer = billfold.ask("of the people who signed up in october how many bought a plan within a week")
    assert answer.slots["activation_event"].name == "subscription_started" and answer.slots["window_days"] == 7
    assert activated in [f.value for f in answer.interpret(answer.run()).figures]


def test_an_outcome_of_early_senders_against_everyone_else_is_a_cohort_comparison(
    billfold: Engine, store: Store
) -> None:
    """ "Subscription rate for the ones who sent an invoice within 3 days of signup vs everyone else": two groups
    compared on an outcome (activation answered the share who sent, and reported the comparison unused); "get an
    invoice out ... end up subscribing" sends the invoice and measures the subscription (the window's anchor had
    swallowed "end up subscribing", and "invoice" alone was a drafted one)."""
    truth = store.json(
        "SELECT round(100 * avgIf(sub, fast), 2), round(100 * avgIf(sub, NOT fast), 2) FROM (SELECT person_id, "
        "minIf(timestamp, event = 'invoice_sent') AS sent, minIf(timestamp, event = 'account_created') AS created, "
        "sent > 0 AND sent >= created AND sent < created + INTERVAL 3 DAY AS fast, countIf(event = "
        "'subscription_started') > 0 AS sub FROM events GROUP BY person_id HAVING created > 0)"
    )["data"][0]
    for question in (
        "looking at every account so far: subscription rate for the ones who sent an invoice within 3 days of signup"
        " vs everyone else?",
        "do accounts that get an invoice out within 72h of signup end up subscribing more often than the rest? all "
        "time, both rates",
    ):
        answer = billfold.ask(question)
        assert answer.intent == "cohort_comparison", question
        assert answer.slots["cohort_event"].name == "invoice_sent", question
        assert answer.slots["metric_event"].name == "subscription_started", question
        stated = [f.value for f in answer.interpret(answer.run()).figures]
        assert all(any(v == pytest.approx(t, abs=0.05) for v in stated) for t in truth), (question, stated, truth)
    went = billfold.ask("how many invoices went out last week?")
    assert went.slots["event"].name == "invoice_sent"


def test_how_many_of_a_kind_of_people_did_not_do_something_in_a_range(billfold: Engine, store: Store) -> None:
    """ "How many paying subscribers did not send an invoice in the last 30 days": subscribers ever,
    without an invoice in those 30 days (it counted only those who subscribed within the 30 days, silently); and
    "stopped sending invoices for 30 days" is a silence of 30 days (it counted the invoices, silently)."""
    (truth,) = store.json(
        "SELECT uniqExact(person_id) FROM events WHERE event = 'subscription_started' AND person_id NOT IN (SELECT "
        f"person_id FROM events WHERE event = 'invoice_sent' AND timestamp >= {SQL_END} - INTERVAL 30 DAY AND "
        f"timestamp < {SQL_END})"
    )["data"][0]
    answer = billfold.ask("how many paying subscribers did not send an invoice in the last 30 days")
    assert answer.intent == "count" and not answer.caveats
    (negation,) = answer.slots["conditions"]
    assert negation.kind == "did_not" and negation.window is not None and negation.window.label == "last 30 days"
    assert "did not do invoice_sent in the last 30 days" in answer.interpret(answer.run()).text()
    assert answer.interpret(answer.run()).figures[0].value == truth
    stopped = billfold.ask("which paying subscribers have stopped sending invoices for 30 days")
    assert stopped.intent == "churn_risk" and stopped.slots["silent_days"] == 30
    assert stopped.slots["event"].name == "invoice_sent"


def test_a_counted_thing_or_a_campaign_the_project_does_not_record_is_asked_about(billfold: Engine) -> None:
    """ "How many quotes did ppl send out last week": quotes are no event of Billfold (every event was counted,
    silently, because the question names people); "the campaign" where no campaign is recorded is asked about (it
    was answered for all paying customers)."""
    quotes = billfold.ask("how many quotes did ppl send out last week")
    assert quotes.clarification is not None and "'quotes'" in quotes.clarification.text()
    campaign = billfold.ask("Did the campaign bring in more paying customers?")
    assert campaign.clarification is not None and "campaign" in campaign.clarification.text()
    assert billfold.ask("how many invoices did ppl send last week").clarification is None
    # the product's own name (its events are described by it) is no untracked feature
    assert billfold.ask("how many people have used billfold on a mobile phone this week?").clarification is None


def test_people_named_by_a_first_action_then_a_later_one_with_a_total(billfold: Engine, store: Store) -> None:
    """ "Which accounts that signed up this week have already sent invoices totalling more than 2,000?": the signup
    says who (it was the listed event, and the invoices were reported unused), the invoices are what is summed,
    and "totalling more than 2,000" bounds each account's sum (it was dropped without a word)."""
    truth = store.json(
        "SELECT person_id FROM events WHERE event = 'invoice_sent' AND timestamp >= '2026-11-23' AND timestamp < "
        f"{SQL_END} AND person_id IN (SELECT person_id FROM events WHERE event = 'account_created' AND timestamp >= "
        f"'2026-11-23' AND timestamp < {SQL_END}) GROUP BY person_id HAVING sum(JSONExtractFloat(properties, "
        "'amount')) > 2000 ORDER BY sum(JSONExtractFloat(properties, 'amount')) DESC"
    )["data"]
    answer = billfold.ask(
        "Which accounts that signed up this week have already sent invoices totalling more than 2,000?"
    )
    assert answer.slots["event"].name == "invoice_sent"
    assert [c.event.name for c in answer.slots["conditions"]] == ["account_created"]
    assert [(f.prop.name, f.op, f.value) for f in answer.slots["min_total"]] == [("amount", ">", 2000)]
    assert [str(r["person_id"]) for r in answer.run().records()] == [str(r[0]) for r in truth]
    dutch = billfold.ask("how many dutch accounts sent invoices last week")
    assert [f.value for f in dutch.slots["filters"]] == ["NL"]


def test_sessions_landing_on_a_named_page_and_the_share_of_signups_who_never_did_it(
    billfold: Engine, store: Store
) -> None:
    """ "Bounce rate for sessions that land on the homepage": the entry page (the named page was reported unused and
    every session's bounce rate given); "what share of October signups never sent a single invoice" is the share
    of that cohort who did not (a count of them was given)."""
    (bounce,) = store.json(
        f"SELECT round(100 * avg(is_bounce), 2) FROM sessions WHERE entry_pathname = '/' AND min_timestamp >= "
        f"{SQL_END} - INTERVAL 30 DAY AND min_timestamp < {SQL_END}"
    )["data"][0]
    landed = billfold.ask("bounce rate for sessions that land on the homepage (/)?")
    assert [(f.prop.name, f.value) for f in landed.slots["filters"]] == [("$entry_pathname", "/")]
    assert landed.interpret(landed.run()).figures[0].value == pytest.approx(bounce, abs=0.01)
    (never,) = store.json(
        "SELECT round(100 * avg(sent = 0), 2) FROM (SELECT person_id, countIf(event = 'invoice_sent') AS sent FROM "
        "events GROUP BY person_id HAVING minIf(timestamp, event = 'account_created') >= '2026-10-01' AND "
        "minIf(timestamp, event = 'account_created') < '2026-11-01' AND countIf(event = 'account_created') > 0)"
    )["data"][0]
    share = billfold.ask("What share of October signups never sent a single invoice?")
    assert share.intent == "activation" and not share.caveats
    assert any(f.value == pytest.approx(never, abs=0.05) for f in share.interpret(share.run()).figures)


def test_a_funnel_counts_conversions_from_a_first_step_inside_the_range(billfold: Engine, store: Store) -> None:
    """ "Of the accounts that sent an invoice in October, what % got a payment within 2 weeks": only an October
    invoice starts the 14 days (an invoice of November, read for the window's sake, started conversions too, and
    accounts created before the data began were left out by a signup condition), as PostHog counts a funnel."""
    (truth,) = store.json(
        "SELECT round(100 * countIf(lvl >= 2) / countIf(lvl >= 1), 2) FROM (SELECT person_id, "
        "windowFunnel(14 * 86400)(toDateTime(timestamp), event = 'invoice_sent' AND timestamp < '2026-11-01', "
        "event = 'payment_received') AS lvl FROM events WHERE event IN ('invoice_sent', 'payment_received') AND "
        "timestamp >= '2026-10-01' AND timestamp < '2026-11-15' GROUP BY person_id)"
    )["data"][0]
    answer = billfold.ask(
        "Of the accounts that sent an invoice in October, what % got a payment within 2 weeks? basically the sent -> "
        "paid funnel"
    )
    assert answer.intent == "funnel" and not answer.slots.get("conditions")
    assert answer.interpret(answer.run()).figures[0].value == pytest.approx(truth, abs=0.01)


def test_events_to_ignore_and_the_longest_gone_first(billfold: Engine, store: Store) -> None:
    """ "What's the first thing ppl do after creating an account? ignore pageviews and identify calls": the paths
    start at the signup and leave those events out (the pageviews were the start, and the identify calls were
    reported unused); "gone quiet the longest" orders by when each was last seen, to the second (whole days left
    ties to the number of events, which put someone silent for less time ahead)."""
    asked = billfold.ask(
        "whats the first thing ppl actually do after creating an account? ignore pageviews and identify calls"
    )
    assert asked.slots["event"].name == "account_created"
    assert {e.name for e in asked.slots["leave_out"]} == {"$pageview", "$identify"}
    assert "$pageview" not in {str(r.get("event", "")) for r in asked.run().records()}
    truth = store.json(
        "SELECT person_id FROM events WHERE JSONExtractString(person_properties, 'plan') = 'business' AND timestamp "
        f"< {SQL_END} GROUP BY person_id HAVING max(timestamp) < {SQL_END} - INTERVAL 14 DAY ORDER BY max(timestamp), "
        "count() DESC LIMIT 5"
    )["data"]
    quiet = billfold.ask(
        "which 5 business plan customers have gone quiet the longest? emails and days since we last saw them"
    )
    assert [str(r["person_id"]) for r in quiet.run().records()] == [str(r[0]) for r in truth]


def test_accounts_with_no_source_are_the_direct_channel(billfold: Engine, store: Store) -> None:
    """ "Revenue by utm source": the payments carry no source, so it is the account's first one, and the accounts
    that came with none are a channel of their own, "direct" (the answer had no rows at all: the payment events'
    own utm_source, which they never carry); "no source = direct" says so without filtering anything; "ignore
    untagged ones" leaves them out; "per paying account" ranks by revenue per paying account."""
    truth = dict(
        rows(
            store,
            "SELECT if(JSONExtractString(person_properties, '$initial_utm_source') = '', 'direct', "
            "JSONExtractString(person_properties, '$initial_utm_source')) AS channel, "
            "round(sum(JSONExtractFloat(properties, 'amount')), 2) FROM events WHERE event = 'payment_received' "
            "GROUP BY channel",
        )
    )
    asked = billfold.ask("revenue by utm source all time")
    assert asked.slots["breakdown"].empty == "direct" and not asked.caveats
    assert {r["breakdown"]: r["revenue"] for r in asked.run().records()} == pytest.approx(truth)
    said = billfold.ask("top 3 signup sources over the last 30 days (utm source, no source = direct)")
    assert not said.slots.get("filters") and said.slots["breakdown"].empty == "direct" and not said.caveats
    assert "direct" in [r["breakdown"] for r in said.run().records()]
    untagged = billfold.ask("which utm sources brought the most signups last month? ignore untagged signups")
    assert untagged.slots["breakdown"].name.endswith("utm_source") and not untagged.caveats
    assert "direct" not in [r["breakdown"] for r in untagged.run().records()]
    assert billfold.ask("which channel gets paid the most per paying account?").slots["rank"] == "arpu"


def test_a_value_said_to_count_on_a_side_is_no_filter_of_its_own(billfold: Engine, store: Store) -> None:
    """ "Excluding mobile, ... (tablets count as not mobile)": every device but mobile (it also required tablets,
    silently: 55 instead of the truth)."""
    (truth,) = rows(
        store,
        "SELECT count() FROM events WHERE event = 'invoice_sent' AND JSONExtractString(properties, '$device_type') "
        f"!= 'Mobile' AND timestamp >= {SQL_END} - INTERVAL 7 DAY AND timestamp < {SQL_END}",
    )
    asked = billfold.ask(
        "Excluding mobile, how many invoices were sent over the past 7 days? (tablets count as not mobile)"
    )
    assert [(f.prop.name, f.op, f.value) for f in asked.slots["filters"]] == [("$device_type", "!=", "Mobile")]
    assert asked.run().rows[0][0] == truth[0]
    assert billfold.ask("how much have we collected in EUR this month").intent == "revenue"


def test_how_many_people_did_not_do_something_is_a_number_not_a_list(billfold: Engine, store: Store) -> None:
    """ "How many of our paying subscribers haven't sent a single invoice in the last 30 days?": the count of
    them (it asked between a count and a list of who went quiet); active one week and silent the next is last
    week's dormant people."""
    (truth,) = store.json(
        "SELECT uniqExact(person_id) FROM events WHERE event = 'subscription_started' AND person_id NOT IN (SELECT "
        f"person_id FROM events WHERE event = 'invoice_sent' AND timestamp >= {SQL_END} - INTERVAL 30 DAY AND "
        f"timestamp < {SQL_END})"
    )["data"][0]
    asked = billfold.ask("how many of our paying subscribers haven't sent a single invoice in the last 30 days?")
    assert asked.clarification is None and asked.intent == "count"
    assert asked.interpret(asked.run()).figures[0].value == truth
    (dormant,) = store.json(
        "SELECT uniqExact(person_id) FROM events WHERE timestamp >= '2026-11-09' AND timestamp < '2026-11-16' AND "
        "person_id NOT IN (SELECT person_id FROM events WHERE timestamp >= '2026-11-16' AND timestamp < '2026-11-23')"
    )["data"][0]
    two = billfold.ask("how many people were active the week before last but had no events at all last week?")
    assert two.intent in ("lifecycle", "count") and not two.caveats  # one number of people, or lifecycle's dormant
    assert two.interpret(two.run()).figures[0].value == dormant
    active = billfold.ask("how many accounts that were active in october haven't done anything since nov 1st?")
    assert active.intent == "churn_risk" and active.clarification is None  # active, then silent: churn's own


def test_what_follows_an_action_anyone_repeats_counts_every_time_it_happened(billfold: Engine, store: Store) -> None:
    """ "What do people do right after adding a client?": the event after each client added, counted every time
    (it followed each person's first client only, and called the counts users); an action the project has no
    event for is asked about (the paths started at the signup, silently)."""
    truth = rows(
        store,
        "SELECT next_event, count() AS times FROM (SELECT event, leadInFrame(event) OVER (PARTITION BY person_id "
        "ORDER BY timestamp ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING) AS next_event FROM events WHERE timestamp >= "
        f"{SQL_END} - INTERVAL 30 DAY AND timestamp < {SQL_END}) WHERE event = 'client_added' AND next_event != '' "
        "GROUP BY next_event ORDER BY times DESC, next_event LIMIT 3",
    )
    asked = billfold.ask("what do ppl usually do right after adding a client? top 3 next events")
    assert asked.slots["count"] == "occurrences" and asked.slots["path_length"] == 1
    said = asked.interpret(asked.run())
    assert [(k, v) for k, v in said.ranking] == [(e, n) for e, n in truth] and "times" in said.headline
    missing = billfold.ask("right after someone opens a support ticket what's the next event")
    assert missing.clarification is not None and "'opens a support ticket'" in missing.clarification.text()


def test_still_not_yet_is_up_to_now(billfold: Engine, store: Store) -> None:
    """ "Of the accounts created in October, how many still haven't sent a single invoice?": none up to now, not
    none in October (336 instead of the truth, silently); "the first real thing" after a signup is one step."""
    (truth,) = rows(
        store,
        "SELECT count() FROM (SELECT person_id FROM events WHERE event = 'account_created' AND timestamp >= "
        "'2026-10-01' AND timestamp < '2026-11-01' GROUP BY person_id) WHERE person_id NOT IN (SELECT person_id "
        "FROM events WHERE event = 'invoice_sent')",
    )
    asked = billfold.ask("of the accounts created in october, how many still haven't sent a single invoice?")
    (never,) = asked.slots["conditions"]
    assert never.kind == "did_not" and not never.in_range and asked.run().rows[0][0] == truth[0]
    first = billfold.ask("after creating an account, what's the first real thing people do? ignore pageviews")
    assert first.slots["path_length"] == 1


def test_people_described_before_their_noun_and_silent_after_an_active_period(billfold: Engine, store: Store) -> None:
    """ "Our paying German accounts": "paying" with its noun a few words on is "paying accounts" (subscribers), not
    "paying" alone (a payment received from a client); "accounts on the business plan" is the people's plan, not
    the event that sets it; active in October then nothing in November is a silence (it was reported unused)."""
    silent_in_november = (
        "person_id IN (SELECT person_id FROM events WHERE timestamp >= '2026-10-01' AND timestamp < '2026-11-01') "
        "AND person_id NOT IN (SELECT person_id FROM events WHERE timestamp >= '2026-11-01')"
    )
    (paying,) = store.json(
        "SELECT uniqExact(person_id) FROM events WHERE event = 'subscription_started' AND "
        f"JSONExtractString(person_properties, 'country') = 'DE' AND {silent_in_november}"
    )["data"][0]
    asked = billfold.ask(
        "which of our paying German accounts were active in October but had no events at all in November? with how "
        "many events each had"
    )
    assert asked.intent == "churn_risk" and not asked.caveats
    assert "subscription_started" in [c.event.name for c in asked.slots["conditions"] if c.event is not None]
    assert asked.run().records()[0]["total"] == paying
    (business,) = store.json(
        f"SELECT uniqExact(e.person_id) FROM events AS e JOIN persons AS p ON p.id = e.person_id WHERE "
        f"JSONExtractString(p.properties, 'plan') = 'business' AND e.{silent_in_november.replace(' AND person_id', ' AND e.person_id')}"
    )["data"][0]
    listed = billfold.ask("list accounts on the business plan who had events in October but nothing since Nov 1")
    assert [(f.prop.scope, f.prop.name) for f in listed.slots["filters"]] == [("person", "plan")]
    assert listed.run().records()[0]["total"] == business


def test_one_event_in_two_dated_periods_is_a_count_of_each(billfold: Engine, store: Store) -> None:
    """ "Invoices sent from German accounts, Nov 2-13 compared with Nov 14-25?": the event's number in each period
    (it asked which analysis, a list of people or a count)."""
    counted = "SELECT count() FROM events WHERE event = 'invoice_sent' AND JSONExtractString(person_properties, 'country') = 'DE' AND timestamp >= '{}' AND timestamp < '{}'"
    (before,) = store.json(counted.format("2026-11-02", "2026-11-14"))["data"][0]
    (after,) = store.json(counted.format("2026-11-14", "2026-11-26"))["data"][0]
    asked = billfold.ask("invoices sent from german accounts, nov 2-13 compared with nov 14-25?")
    assert asked.clarification is None and asked.intent == "count" and not asked.caveats
    figures = [f.value for f in asked.interpret(asked.run()).figures]
    assert after in figures and before in figures


def test_a_first_window_in_whole_days_of_hours(billfold: Engine, store: Store) -> None:
    """ "Accounts that send an invoice in their first 72 hours": within 3 days of their signup (the hours were
    reported unused and every sender compared)."""
    (truth,) = store.json(
        "WITH s AS (SELECT person_id, min(timestamp) AS t0 FROM events WHERE event = 'account_created' GROUP BY "
        "person_id), early AS (SELECT DISTINCT e.person_id AS person_id FROM events AS e JOIN s ON e.person_id = "
        "s.person_id WHERE e.event = 'invoice_sent' AND e.timestamp >= s.t0 AND e.timestamp < s.t0 + INTERVAL 3 DAY) "
        "SELECT round(100 * countIf(person_id IN (SELECT person_id FROM events WHERE event = 'subscription_started')) "
        "/ count(), 1) FROM s WHERE person_id IN early"
    )["data"][0]
    asked = billfold.ask(
        "do accounts that send an invoice in their first 72 hours subscribe more than the rest? all time"
    )
    assert asked.clarification is None and not asked.caveats
    (within,) = [c for c in asked.slots["conditions"] if c.kind == "within"]
    assert within.days == 3
    rows = {r["cohort"]: r["conversion_pct"] for r in asked.run().records()}
    assert round(rows["did invoice_sent"], 1) == truth


def test_not_a_single_page_viewed_is_no_bounce(billfold: Engine, store: Store) -> None:
    """ "How many paying subscribers haven't viewed a single page in the last 2 weeks": subscribers with no
    pageview in those days ("a single page" read as a bounce gave the bounce rate, with the rest unread)."""
    (truth,) = store.json(
        "SELECT uniqExact(person_id) FROM events WHERE event = 'subscription_started' AND person_id NOT IN (SELECT "
        f"person_id FROM events WHERE event = '$pageview' AND timestamp >= {SQL_END} - INTERVAL 14 DAY)"
    )["data"][0]
    asked = billfold.ask("how many paying subscribers havent viewed a single page in the last 2 weeks?")
    assert asked.intent == "count" and not asked.caveats
    assert asked.interpret(asked.run()).figures[0].value == truth


def test_a_currency_between_total_and_collected_is_still_the_amount_collected(billfold: Engine, store: Store) -> None:
    """ "Total USD collected through paypal": the sum of the amounts paid by paypal in USD (the currency broke the
    phrase, and the payments were counted)."""
    (truth,) = store.json(
        "SELECT sum(JSONExtractFloat(properties, 'amount')) FROM events WHERE event = 'payment_received' AND "
        "JSONExtractString(properties, 'payment_method') = 'paypal' AND JSONExtractString(properties, 'currency') = "
        f"'USD' AND timestamp >= {SQL_END} - INTERVAL 7 DAY"
    )["data"][0]
    asked = billfold.ask("total USD collected through paypal in the past 7 days")
    assert asked.slots["measure"] == "sum" and not asked.caveats
    assert asked.interpret(asked.run()).figures[0].value == pytest.approx(truth)


@pytest.mark.parametrize(("question", "days"), [("WAU for the last 7 days?", 7), ("MAU over the last 30 days", 30)])
def test_a_range_within_the_metrics_window_is_one_window(
    billfold: Engine, store: Store, question: str, days: int
) -> None:
    """ "WAU for the last 7 days": the distinct people active in those days, one figure (split at the calendar week
    it gave two partial weeks, and people active in both were counted twice in their average)."""
    (truth,) = store.json(
        f"SELECT uniqExact(person_id) FROM events WHERE timestamp >= {SQL_END} - INTERVAL {days} DAY"
    )["data"][0]
    asked = billfold.ask(question)
    assert asked.intent == "engagement" and not asked.caveats
    assert asked.interpret(asked.run()).figures[0].value == truth


def test_accounts_that_collected_the_most_are_ranked_by_payments_received(billfold: Engine, store: Store) -> None:
    """ "Which 5 accounts have collected the most in USD": what they were paid (every event's amount was summed,
    invoices created and sent with it)."""
    truth = [
        r[0]
        for r in store.json(
            "SELECT person_id FROM events WHERE event = 'payment_received' AND JSONExtractString(properties, "
            "'currency') = 'USD' AND timestamp >= '2026-11-01' GROUP BY person_id "
            "ORDER BY sum(JSONExtractFloat(properties, 'amount')) DESC LIMIT 5"
        )["data"]
    ]
    asked = billfold.ask("which 5 accounts have collected the most in USD this month?")
    assert asked.slots["event"].name == "payment_received" and not asked.caveats
    assert [str(r["person_id"]) for r in asked.run().records()] == truth


def test_paying_customers_are_the_subscribers_counted(billfold: Engine, store: Store) -> None:
    """Where subscribing is not the revenue event, "paying customers" counted are the subscribers: by industry
    (it ranked by the payers of client payments among them), and in all ("how many" was reported unused)."""
    by_industry = store.json(
        "SELECT JSONExtractString(person_properties, 'industry') AS i, uniqExact(person_id) AS n FROM events "
        "WHERE event = 'subscription_started' GROUP BY i ORDER BY n DESC, i LIMIT 3"
    )["data"]
    asked = billfold.ask("Which industry has the most paying customers so far?")
    assert asked.intent == "breakdown" and asked.slots["event"].name == "subscription_started"
    assert [(r["breakdown"], r["value"]) for r in asked.run().records()[:3]] == [tuple(r) for r in by_industry]
    (total,) = store.json(
        "SELECT uniqExact(person_id) FROM events WHERE event = 'subscription_started' AND timestamp >= "
        f"{SQL_END} - INTERVAL 30 DAY"
    )["data"][0]
    asked = billfold.ask("how many paying customers do we have")
    assert asked.intent == "count" and not asked.caveats
    assert asked.interpret(asked.run()).figures[0].value == total
    # an amount asked of them is still their revenue
    assert billfold.ask("revenue from paying customers by industry").intent == "revenue"


def test_a_thing_used_that_the_project_does_not_track_is_asked_about(billfold: Engine) -> None:
    """ "How many people used time tracking last week": Billfold tracks no time tracking, so askhog asks (it
    counted everyone active, silently). The product itself, by name or as "the app", is being active."""
    asked = billfold.ask("how many people used time tracking last week?")
    assert asked.clarification is not None and asked.hogql is None
    (question,) = asked.clarification.questions
    assert question.reason == "unknown_event" and "time tracking" in question.prompt and question.options
    for active in ("how many people used the billfold app last week", "how many people have used billfold this week"):
        answer = billfold.ask(active)
        assert answer.clarification is None and answer.intent == "count", active


@pytest.mark.parametrize(
    ("question", "start", "previous"),
    [
        ("invoices sent vs last week", "2026-11-23", "2026-11-16"),
        ("are we behind last week on invoices sent?", "2026-11-23", "2026-11-16"),
        ("invoices sent ahead of last month?", "2026-11-01", "2026-10-01"),
    ],
)
def test_a_comparison_with_the_last_unit_compares_the_current_one_like_for_like(
    billfold: Engine, store: Store, question: str, start: str, previous: str
) -> None:
    """ "Invoices sent vs last week": this week so far against the same part of last week (it compared the
    default last 30 days with the 30 days before, whatever unit was named)."""
    span = END - datetime.fromisoformat(start).replace(tzinfo=UTC)
    prev_start = datetime.fromisoformat(previous).replace(tzinfo=UTC)
    current, earlier = (
        store.json(
            f"SELECT count() FROM events WHERE event = 'invoice_sent' AND timestamp >= '{a:%Y-%m-%d %H:%M:%S}' "
            f"AND timestamp < '{b:%Y-%m-%d %H:%M:%S}'"
        )["data"][0][0]
        for a, b in ((END - span, END), (prev_start, prev_start + span))
    )
    asked = billfold.ask(question)
    assert asked.intent == "count" and not asked.caveats
    assert asked.slots["time_range"].start == END - span
    sides = {r["side"]: r["value"] for r in asked.run().records()}
    assert sides == {"current": current, "previous": earlier}
