"""A chunk of Billfold's accounts: who they are and when they reach each milestone (see ``people.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ...model import Vocabulary, sample
from ...people import NEVER, People, names, platforms, signup_times
from ...timeline import US_PER_DAY, Timeline
from . import model, truths


@dataclass
class Population(People):
    source: np.ndarray  # $initial_utm_source code, NONE for direct traffic
    country: np.ndarray
    currency: np.ndarray  # event-scope currency code of the account's invoices
    company_size: np.ndarray
    industry: np.ndarray
    invoice_scale: np.ndarray  # the account's typical invoice amount (truth 2)
    first_invoice_us: np.ndarray  # NEVER for accounts that never send one; early for fast starters (truth 3)
    variant: np.ndarray  # smart-reminders variant, shown with the first invoice (truth 4)
    subscribe_us: np.ndarray  # start of the paid plan, NEVER for those who stay free
    plan: np.ndarray  # event-scope plan code chosen when subscribing


def draw(rng: np.random.Generator, n: int, first_index: int, timeline: Timeline, vocab: Vocabulary) -> Population:
    visitor = rng.random(n) < model.VISITOR_SHARE
    signed = ~visitor
    signup_us = signup_times(rng, n, timeline, model.HABITS)
    browser, os_, device = platforms(rng, n, vocab, model.PLATFORMS)
    first_name, last_name, email_domain = names(rng, n, len(model.EMAIL_DOMAINS))
    source = sample(rng, vocab.distribution("$initial_utm_source", truths.UTM_SOURCES, "person"), n)
    country = sample(rng, vocab.distribution("country", model.COUNTRIES, "person"), n)
    company_size = sample(rng, vocab.distribution("company_size", model.COMPANY_SIZES, "person"), n)
    industry = sample(rng, vocab.distribution("industry", model.INDUSTRIES, "person"), n)
    fast = signed & (rng.random(n) < truths.FAST_START_SHARE)
    plan = _plans(rng, source, vocab)
    return Population(
        first_index=first_index,
        visitor=visitor,
        signup_us=signup_us,
        browser=browser,
        os=os_,
        device=device,
        first_name=first_name,
        last_name=last_name,
        email_domain=email_domain,
        stop_us=np.full(n, timeline.end_us, np.int64),
        activity=rng.uniform(*model.DAILY_ACTIVITY, n),
        weeks_active=rng.geometric(_per_size(vocab, company_size, truths.WEEKLY_DROPOUT)),
        source=source,
        country=country,
        currency=_currencies(vocab, country),
        company_size=company_size,
        industry=industry,
        invoice_scale=_invoice_scale(rng, vocab, source, company_size),
        first_invoice_us=_first_invoices(rng, signup_us, signed, fast),
        variant=(rng.random(n) < 0.5).astype(np.uint8),
        subscribe_us=_subscriptions(rng, signup_us, signed, fast),
        plan=plan,
    )


def _per_size(vocab: Vocabulary, company_size: np.ndarray, by_size: Mapping[str, float]) -> np.ndarray:
    """Each account's number from ``by_size`` (keyed by company_size value names)."""
    table = np.zeros(len(vocab.person_values["company_size"]))
    for name, number in by_size.items():
        table[vocab.code("company_size", name, "person")] = number
    numbers: np.ndarray = table[company_size]
    return numbers


def _currencies(vocab: Vocabulary, country: np.ndarray) -> np.ndarray:
    """The event-scope currency code of each account's country."""
    table = np.array(
        [vocab.code("currency", model.CURRENCY_BY_COUNTRY[c]) for c in vocab.person_values["country"]], np.uint8
    )
    currencies: np.ndarray = table[country]
    return currencies


def _invoice_scale(
    rng: np.random.Generator, vocab: Vocabulary, source: np.ndarray, company_size: np.ndarray
) -> np.ndarray:
    """The account's typical invoice: bigger companies bill more, partner referrals most of all (truth 2)."""
    scale = np.exp(rng.normal(model.INVOICE_LOG_MEAN, model.INVOICE_LOG_SD, len(source)))
    scale *= _per_size(vocab, company_size, model.INVOICE_SCALE_BY_SIZE)
    for name, factor in truths.INVOICE_SCALE_BY_SOURCE.items():
        scale[source == vocab.code("$initial_utm_source", name, "person")] *= factor
    return scale


def _first_invoices(
    rng: np.random.Generator, signup_us: np.ndarray, signed: np.ndarray, fast: np.ndarray
) -> np.ndarray:
    """Fast starters invoice within FAST_START_DAYS of signing up (truth 3); most others later, some never."""
    n = len(signup_us)
    window = truths.FAST_START_DAYS * US_PER_DAY
    early = signup_us + (rng.uniform(0.01, 0.98, n) * window).astype(np.int64)
    late = signup_us + window + ((0.5 + rng.exponential(model.DAYS_TO_SLOW_START, n)) * US_PER_DAY).astype(np.int64)
    slow = signed & ~fast & (rng.random(n) < model.SLOW_START_SHARE)
    return np.where(fast, early, np.where(slow, late, NEVER))


def _subscriptions(rng: np.random.Generator, signup_us: np.ndarray, signed: np.ndarray, fast: np.ndarray) -> np.ndarray:
    """When each account starts a paid plan: fast starters several times more often (truth 3)."""
    n = len(signup_us)
    rate = np.where(fast, truths.SUBSCRIBE_RATE[True], truths.SUBSCRIBE_RATE[False])
    when = signup_us + ((1 + rng.exponential(model.DAYS_TO_SUBSCRIBE, n)) * US_PER_DAY).astype(np.int64)
    return np.where(signed & (rng.random(n) < rate), when, NEVER)


def _plans(rng: np.random.Generator, source: np.ndarray, vocab: Vocabulary) -> np.ndarray:
    """The plan each account would subscribe to: partner referrals pick business more often."""
    rate = np.full(len(source), model.DEFAULT_BUSINESS_PLAN_RATE)
    for name, business in model.BUSINESS_PLAN_RATE.items():
        rate[source == vocab.code("$initial_utm_source", name, "person")] = business
    business_plan = rng.random(len(source)) < rate
    return np.where(business_plan, vocab.code("plan", "business"), vocab.code("plan", "starter")).astype(np.uint8)
