"""Paperplane, a document-collaboration SaaS with free, pro and team plans (shared/spec/demo-dataset.md)."""

from __future__ import annotations

import numpy as np

from ...encode import Layout
from ...events import Events, first_time
from ...model import NONE, Vocabulary
from ...people import NEVER
from ...product import Product
from . import events, model, population, truths

LAYOUT = Layout(
    site="https://paperplane.app",
    email_domains=model.EMAIL_DOMAINS,
    person_columns=("plan", "source", "campaign", "referrer0", "country", "company_size"),
    person_properties=(
        ("plan", "plan", "known"),
        ("$initial_utm_source", "source", "known"),
        ("$initial_utm_campaign", "campaign", "known"),
        ("$initial_referring_domain", "referrer0", "always"),
        ("$geoip_country_code", "country", "always"),
        ("company_size", "company_size", "signed_up"),
    ),
    event_properties={
        "$pageview": (("$pathname", "page"),),
        "$pageleave": (("$pathname", "page"),),
        "signed_up": (("signup_method", "value"),),
        "file_uploaded": (("file_type", "value"), ("size_mb", "number")),
        "file_shared": (("share_type", "value"),),
        "feature_used": (("feature_name", "value"),),
        "search_performed": (("query_length", "integer"),),
        "checkout_started": (("plan", "value"),),
        "purchase": (("plan", "value"), ("amount", "number"), ("currency", "=USD")),
        "subscription_cancelled": (("reason", "value"),),
        "support_ticket_created": (("category", "value"),),
        "$feature_flag_called": (("$feature_flag", "=" + truths.FLAG), ("$feature_flag_response", "value")),
    },
)


def _person_codes(pop: population.Population, vocab: Vocabulary, end_us: int) -> dict[str, np.ndarray]:
    paying = (pop.purchase_us != NEVER) & (pop.purchase_us < end_us) & (pop.cancel_us == NEVER)
    plan = np.where(
        pop.visitor, NONE, np.where(paying, vocab.as_person("plan")[pop.plan], vocab.code("plan", "free", "person"))
    )
    return {
        "plan": plan,
        "source": pop.source,
        "campaign": pop.campaign,
        "referrer0": pop.referrer,
        "country": pop.country,
        "company_size": pop.company_size,
    }


def _plan_at(evs: Events, pop: population.Population, vocab: Vocabulary) -> dict[str, np.ndarray]:
    """The person's plan when each event happened: paid from the purchase event until a cancellation."""
    bought = first_time(evs, len(pop), vocab.event("purchase"))
    cancelled = np.where(pop.cancel_us == NEVER, np.iinfo(np.int64).max, pop.cancel_us)
    who = evs.person
    paid = (evs.ts >= bought[who]) & (evs.ts < cancelled[who])
    plan = np.where(paid, vocab.as_person("plan")[pop.plan[who]], vocab.code("plan", "free", "person"))
    return {"plan": np.where(pop.visitor[who], NONE, plan).astype(np.uint8)}


PRODUCT = Product[population.Population](
    name="paperplane",
    title="Paperplane",
    layout=LAYOUT,
    events_per_person=58,
    draw=population.draw,
    habits=model.HABITS,
    scripts=events.scripts,
    fill=events.fill,
    person_codes=_person_codes,
    codes_at_events=_plan_at,
    annotations=truths.planted_annotations,
)
