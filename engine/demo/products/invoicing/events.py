"""Billfold's events: its milestone scripts, its invoices' lifecycle and its event properties.

Signup, the upgrade to a paid plan and every invoice (drafted, sent, then
viewed, reminded of and paid by the client, server-side) follow short scripts
at the moments ``population.py`` chose; everyday sessions (``demo/events.py``)
fill the working days in between.
"""

from __future__ import annotations

import numpy as np

from ...events import (
    NO_SESSION,
    Builder,
    Events,
    Step,
    activity_days,
    draw_values,
    first_sessions,
)
from ...model import NONE, Vocabulary
from ...people import NEVER
from ...timeline import US_PER_DAY, US_PER_SECOND, Timeline
from . import model, truths
from .population import Population

SIGNUP = (
    Step("$pageview", model.LANDING_PAGES, anon=True),
    Step("$pageview", "/signup", anon=True),
    Step("account_created"),
    Step("$identify"),
    Step("$pageview", "/app"),
    Step("client_added", gate="adds_client"),
)
VISIT = (
    Step("$pageview", model.LANDING_PAGES, anon=True),
    Step("$pageview", "/pricing", anon=True, gate="curious"),
)
INVOICE = (
    Step("$pageview", "/invoices"),
    Step("invoice_created"),
    Step("$feature_flag_called", gate="first"),  # the send dialog evaluates smart-reminders (truth 4)
    Step("invoice_sent"),
)
UPGRADE = (Step("$pageview", "/pricing"), Step("$pageview", "/billing"), Step("subscription_started"))
SENT_WITHIN_US = 3600 * US_PER_SECOND  # an invoice session's steps are over well within the hour


def scripts(b: Builder, pop: Population, timeline: Timeline) -> None:
    """Signup or visit, the upgrade to a paid plan, every invoice and its lifecycle."""
    _milestones(b, pop)
    _invoices(b, pop, timeline)


def _milestones(b: Builder, pop: Population) -> None:
    rng, vocab = b.rng, b.vocab
    gates = {"adds_client": rng.random(int((~pop.visitor).sum())) < model.CLIENT_IN_SIGNUP_SESSION}
    initial = vocab.translation("$initial_utm_source", "$referring_domain", model.REFERRER_BY_SOURCE)
    first_sessions(b, pop, initial[pop.source], SIGNUP, gates, VISIT, model.VISITORS_SEEING_PRICING)
    everyone = np.arange(len(pop))
    direct = np.full(len(pop), vocab.code("$referring_domain", "$direct"), np.uint8)
    upgrading = everyone[pop.subscribe_us != NEVER]
    b.script(upgrading, pop.subscribe_us[upgrading], UPGRADE, {}, direct[upgrading])


def _invoices(b: Builder, pop: Population, timeline: Timeline) -> None:
    """Every invoice an account sends: the first where the population put it, then more on working days,
    most at the turn of the month (truth 5), until the account drifts away (truth 6); each one's lifecycle."""
    rng, vocab = b.rng, b.vocab
    _, around = activity_days(pop, timeline, model.HABITS)
    first_day = np.where(pop.first_invoice_us == NEVER, timeline.days, timeline.day_of(pop.first_invoice_us))
    per_day = np.array([model.INVOICES_PER_WEEK[s] for s in vocab.person_values["company_size"]]) / 5
    day = np.arange(timeline.days)
    calendar = truths.WEEKDAY_FACTOR[timeline.weekday(day)]
    calendar = calendar * np.where(truths.month_turn(timeline), truths.MONTH_TURN_FACTOR, 1.0)
    rate = per_day[pop.company_size][:, None] * calendar[None, :]
    later = around & (day[None, :] > first_day[:, None])
    counts = rng.poisson(np.where(later, rate, 0.0))
    person, on_day = np.nonzero(counts)
    person, on_day = np.repeat(person, counts[person, on_day]), np.repeat(on_day, counts[person, on_day])
    hour = rng.choice(24, size=len(person), p=model.HABITS.hour_weights)
    start = timeline.day_start_us(on_day) + (hour * 3600 + rng.integers(0, 3600, len(person))) * US_PER_SECOND

    firsts = np.nonzero(pop.first_invoice_us != NEVER)[0]
    who = np.concatenate([firsts, person])
    when = np.concatenate([pop.first_invoice_us[firsts], start])
    first = np.arange(len(who)) < len(firsts)
    amount = np.round(pop.invoice_scale[who] * rng.lognormal(0.0, model.INVOICE_SPREAD, len(who)), 2)
    direct = np.full(len(who), vocab.code("$referring_domain", "$direct"), np.uint8)
    b.script(who, when, INVOICE, {"first": first}, direct, number=amount)
    _lifecycle(b, pop, timeline, who, when + SENT_WITHIN_US, amount)


def _lifecycle(
    b: Builder, pop: Population, timeline: Timeline, who: np.ndarray, sent_us: np.ndarray, amount: np.ndarray
) -> None:
    """What the clients do with sent invoices: pay some (truths 1 and 4), open most, and, in the test variant of
    smart-reminders, get an automatic reminder when still unpaid after a week."""
    rng, vocab = b.rng, b.vocab
    n = len(who)
    pay_us = sent_us + ((1 + rng.exponential(model.DAYS_TO_PAY, n)) * US_PER_DAY).astype(np.int64)
    broken = pop.country[who] == vocab.code("country", truths.BROKEN_COUNTRY, "person")
    break_us = timeline.us(truths.break_moment(timeline))
    paid = truths.invoice_paid(rng, pay_us, pop.variant[who], broken, break_us)
    viewed = paid | (rng.random(n) < model.VIEWED_UNPAID)
    unpaid_view_us = sent_us + (rng.exponential(model.DAYS_TO_VIEW, n) * US_PER_DAY).astype(np.int64)
    view_us = np.where(
        paid, sent_us + ((pay_us - sent_us) * rng.uniform(0.05, 0.6, n)).astype(np.int64), unpaid_view_us
    )
    remind_us = sent_us + truths.AUTOMATIC_REMINDER_DAYS * US_PER_DAY
    test = pop.variant[who] == truths.VARIANTS.index("test")
    reminded = test & ~(paid & (pay_us < remind_us))
    automatic = vocab.code("reminder_type", "automatic")
    b.add(who[viewed], view_us[viewed], vocab.event("invoice_viewed"), NO_SESSION, number=amount[viewed])
    b.add(who[paid], pay_us[paid], vocab.event("payment_received"), NO_SESSION, number=amount[paid])
    b.add(who[reminded], remind_us[reminded], vocab.event("reminder_sent"), NO_SESSION, value=automatic)


def fill(events: Events, pop: Population, vocab: Vocabulary, rng: np.random.Generator) -> None:
    """Event properties: the account's channel on its signup, drawn values, plan prices, variants."""
    r = events.rows(vocab, "account_created")
    events.value[r] = vocab.translation("$initial_utm_source", "utm_source")[pop.source[events.person[r]]]
    draw_values(events, vocab, rng, "invoice_sent", "delivery", model.DELIVERIES)
    draw_values(events, vocab, rng, "payment_received", "payment_method", model.PAYMENT_METHODS)
    draw_values(events, vocab, rng, "report_exported", "report_type", model.REPORT_TYPES)
    r = events.rows(vocab, "reminder_sent")
    events.value[r] = np.where(events.value[r] == NONE, vocab.code("reminder_type", "manual"), events.value[r])
    r = events.rows(vocab, "subscription_started")
    events.value[r] = pop.plan[events.person[r]]
    prices = np.array([model.PRICES[p] for p in vocab.event_values["plan"]])
    events.number[r] = prices[pop.plan[events.person[r]]]
    r = events.rows(vocab, "$feature_flag_called")
    variants = np.array([vocab.code("$feature_flag_response", v) for v in truths.VARIANTS], np.uint8)
    events.value[r] = variants[pop.variant[events.person[r]]]
