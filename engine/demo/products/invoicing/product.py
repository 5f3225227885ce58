"""Billfold, an invoicing app for small businesses with free, starter and business plans (``invoicing.md``)."""

from __future__ import annotations

import numpy as np

from ...encode import Layout
from ...events import Events, first_time
from ...model import NONE, Vocabulary
from ...people import NEVER
from ...product import Product
from . import events, model, population, truths

LAYOUT = Layout(
    site="https://billfold.app",
    email_domains=model.EMAIL_DOMAINS,
    person_columns=("plan", "company_size", "industry", "country", "source", "currency"),
    person_properties=(
        ("plan", "plan", "known"),
        ("company_size", "company_size", "signed_up"),
        ("industry", "industry", "signed_up"),
        ("country", "country", "always"),
        ("$initial_utm_source", "source", "known"),
    ),
    event_properties={
        "$pageview": (("$pathname", "page"),),
        "account_created": (("utm_source", "value"),),
        "invoice_created": (("amount", "number"), ("currency", "currency")),
        "invoice_sent": (("amount", "number"), ("currency", "currency"), ("delivery", "value")),
        "invoice_viewed": (("amount", "number"), ("currency", "currency")),
        "payment_received": (("amount", "number"), ("currency", "currency"), ("payment_method", "value")),
        "reminder_sent": (("reminder_type", "value"),),
        "report_exported": (("report_type", "value"),),
        "subscription_started": (("plan", "value"), ("amount", "number"), ("currency", "=USD")),
        "$feature_flag_called": (("$feature_flag", "=" + truths.FLAG), ("$feature_flag_response", "value")),
    },
)


def _person_codes(pop: population.Population, vocab: Vocabulary, end_us: int) -> dict[str, np.ndarray]:
    subscribed = (pop.subscribe_us != NEVER) & (pop.subscribe_us < end_us)
    return {
        "plan": _plan(pop, vocab, subscribed, np.arange(len(pop))),
        "company_size": pop.company_size,
        "industry": pop.industry,
        "country": pop.country,
        "source": pop.source,
        "currency": pop.currency,
    }


def _plan(pop: population.Population, vocab: Vocabulary, paying: np.ndarray, who: np.ndarray) -> np.ndarray:
    """Person-scope plan codes of ``who``: their paid plan where ``paying``, else free (none for visitors)."""
    paid = vocab.as_person("plan")[pop.plan[who]]
    plan = np.where(paying, paid, vocab.code("plan", "free", "person"))
    return np.where(pop.visitor[who], NONE, plan).astype(np.uint8)


def _plan_at(evs: Events, pop: population.Population, vocab: Vocabulary) -> dict[str, np.ndarray]:
    """The account's plan when each event happened: paid from its subscription_started event on."""
    subscribed = first_time(evs, len(pop), vocab.event("subscription_started"))
    return {"plan": _plan(pop, vocab, evs.ts >= subscribed[evs.person], evs.person)}


PRODUCT = Product[population.Population](
    name="invoicing",
    title="Billfold",
    layout=LAYOUT,
    events_per_person=51,
    draw=population.draw,
    habits=model.HABITS,
    scripts=events.scripts,
    fill=events.fill,
    person_codes=_person_codes,
    codes_at_events=_plan_at,
    annotations=truths.planted_annotations,
)
