"""Paperplane's events: its milestone scripts and its event properties (the machinery is ``demo/events.py``).

Milestones (signup, onboarding, the first-week share, checkout attempts,
cancellations) follow short scripts at the moments ``population.py`` chose;
everyday sessions fill the days in between.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ...events import (
    NO_SESSION,
    Builder,
    Events,
    Step,
    draw_values,
    first_sessions,
)
from ...model import Vocabulary
from ...people import NEVER
from ...timeline import US_PER_DAY, Timeline
from . import model, truths
from .population import Population

SIGNUP = (
    Step("$pageview", model.LANDING_PAGES, anon=True),
    Step("$pageview", "/signup", anon=True),
    Step("signed_up"),
    Step("$pageview", "/app"),
    Step("onboarding_completed", gate="onboarded_day_one"),
    Step("project_created", gate="project_in_signup"),
    Step("file_uploaded"),
    Step("$pageleave"),
)
VISIT = (
    Step("$pageview", model.LANDING_PAGES, anon=True),
    Step("$pageview", "/pricing", anon=True, gate="curious"),
    Step("$pageleave", anon=True),
)
LATE_ONBOARDING = (Step("$pageview", "/app"), Step("onboarding_completed"), Step("$pageleave"))
FIRST_SHARE = (
    Step("$pageview", "/app"),
    Step("file_uploaded"),
    Step("file_shared"),
    Step("invite_sent", gate="invites"),
    Step("$pageleave"),
)
CHECKOUT = (
    Step("$pageview", "/pricing"),
    Step("$feature_flag_called"),
    Step("$pageview", "/checkout"),
    Step("checkout_started"),
    Step("purchase", gate="converted"),
    Step("$pageleave"),
)


def scripts(b: Builder, pop: Population, timeline: Timeline) -> None:
    """Signup or visit, late onboarding, the first-week share, checkout attempts, cancellations."""
    rng, vocab = b.rng, b.vocab
    signed = ~pop.visitor
    gates = {"onboarded_day_one": pop.onboarded_day_one[signed], "project_in_signup": pop.project_in_signup[signed]}
    initial = vocab.translation("$initial_referring_domain", "$referring_domain")
    first_sessions(b, pop, initial[pop.referrer], SIGNUP, gates, VISIT, model.VISITORS_SEEING_PRICING)
    everyone = np.arange(len(pop))
    direct = np.full(len(pop), vocab.code("$referring_domain", "$direct"), np.uint8)
    late = everyone[(pop.onboard_us != NEVER) & ~pop.onboarded_day_one]
    b.script(late, pop.onboard_us[late], LATE_ONBOARDING, {}, direct[late])
    sharers = everyone[pop.share_us != NEVER]
    b.script(
        sharers,
        pop.share_us[sharers],
        FIRST_SHARE,
        {"invites": rng.random(len(sharers)) < model.INVITES_WITH_FIRST_SHARE},
        direct[sharers],
    )
    attempts = pop.attempts_us
    last_attempt = (attempts != NEVER).sum(axis=1) - 1
    for i in range(attempts.shape[1]):
        who = everyone[attempts[:, i] != NEVER]
        converted = (pop.purchase_us[who] != NEVER) & (last_attempt[who] == i)
        b.script(who, attempts[who, i], CHECKOUT, {"converted": converted}, direct[who])
    cancels = everyone[pop.cancel_us != NEVER]
    b.add(cancels, pop.cancel_us[cancels], vocab.event("subscription_cancelled"), NO_SESSION)


def _keep_first_week_shares_planted(events: Events, pop: Population, vocab: Vocabulary) -> None:
    """Truth 3 is about who shares in week one: everyday sessions may not share then unless planted."""
    shares = events.event == vocab.event("file_shared")
    planted = pop.share_us[events.person] != NEVER
    first_week = events.ts < pop.signup_us[events.person] + 7 * US_PER_DAY
    events.event[shares & first_week & ~planted] = vocab.event("file_uploaded")


def fill(events: Events, pop: Population, vocab: Vocabulary, rng: np.random.Generator) -> None:
    """Event properties, once truth 3's first week holds only planted shares."""
    _keep_first_week_shares_planted(events, pop, vocab)

    def rows(name: str) -> np.ndarray:
        return events.rows(vocab, name)

    def draw(name: str, prop: str, weights: Mapping[str, float]) -> None:
        draw_values(events, vocab, rng, name, prop, weights)

    r = rows("signed_up")
    events.value[r] = pop.signup_method[events.person[r]]
    draw("file_uploaded", "file_type", model.FILE_TYPES)
    r = rows("file_uploaded")
    events.number[r] = np.round(rng.lognormal(1.0, 0.9, len(r)), 1)
    draw("file_shared", "share_type", model.SHARE_TYPES)
    draw("feature_used", "feature_name", model.FEATURES)
    draw("support_ticket_created", "category", model.TICKET_CATEGORIES)
    draw("subscription_cancelled", "reason", model.CANCEL_REASONS)
    r = rows("search_performed")
    events.number[r] = 1 + rng.poisson(12, len(r))
    for name in ("checkout_started", "purchase"):
        r = rows(name)
        events.value[r] = pop.plan[events.person[r]]
    r = rows("purchase")
    events.number[r] = pop.amount[events.person[r]]
    r = rows("$feature_flag_called")
    variants = np.array([vocab.code("$feature_flag_response", v) for v in truths.VARIANTS], np.uint8)
    events.value[r] = variants[pop.variant[events.person[r]]]
