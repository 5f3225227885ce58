"""A chunk of Paperplane's persons: who they are and when they reach each milestone (see ``people.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...model import NONE, Vocabulary, sample
from ...people import NEVER, People, names, platforms, signup_times
from ...timeline import US_PER_DAY, US_PER_SECOND, Timeline
from . import model, truths


@dataclass
class Population(People):
    source: np.ndarray  # $initial_utm_source code, NONE for direct traffic
    campaign: np.ndarray
    referrer: np.ndarray  # $initial_referring_domain code
    country: np.ndarray
    company_size: np.ndarray
    signup_method: np.ndarray
    onboarded_day_one: np.ndarray
    onboard_us: np.ndarray
    project_in_signup: np.ndarray
    share_us: np.ndarray  # the first-week share (truth 3), NEVER for those who do not share
    churned: np.ndarray  # in the silent group of truth 6 (whose ``weeks_active`` never ends; truth 5 sets the others')
    variant: np.ndarray  # new-checkout variant, used when exposed
    plan: np.ndarray  # event-scope plan code chosen at checkout
    amount: np.ndarray
    attempts_us: np.ndarray  # (n, MAX_CHECKOUT_ATTEMPTS) checkout attempts, NEVER when none
    purchase_us: np.ndarray
    cancel_us: np.ndarray


def draw(rng: np.random.Generator, n: int, first_index: int, timeline: Timeline, vocab: Vocabulary) -> Population:
    visitor = rng.random(n) < model.VISITOR_SHARE
    signup_us = signup_times(rng, n, timeline, model.HABITS)
    browser, os_, device = platforms(rng, n, vocab, model.PLATFORMS)
    source, campaign, referrer = _channels(rng, n, signup_us, timeline, vocab)
    onboarded_day_one, onboard_us = _onboarding(rng, signup_us)
    share_us = np.where(
        rng.random(n) < truths.SHARES_IN_FIRST_WEEK,
        signup_us + (rng.random(n) * 7 * US_PER_DAY).astype(np.int64),
        NEVER,
    )
    churned, stop_us = _churn(rng, signup_us, visitor, timeline)
    variant = (rng.random(n) < 0.5).astype(np.uint8)
    plan, amount = _plans(rng, source, vocab)
    broken = browser == vocab.code("$browser", truths.BROKEN_BROWSER)
    attempts_us, purchase_us = _checkouts(rng, signup_us, share_us != NEVER, variant, broken, stop_us, timeline)
    cancel_us = np.where(
        (purchase_us != NEVER) & (rng.random(n) < model.CANCEL_RATE),
        purchase_us + ((5 + 35 * rng.random(n)) * US_PER_DAY).astype(np.int64),
        NEVER,
    )
    signed = ~visitor
    country = sample(rng, vocab.distribution("$geoip_country_code", model.COUNTRIES, "person"), n)
    company_size = sample(rng, vocab.distribution("company_size", model.COMPANY_SIZES, "person"), n)
    first_name, last_name, email_domain = names(rng, n, len(model.EMAIL_DOMAINS))
    pop = Population(
        first_index=first_index,
        visitor=visitor,
        signup_us=signup_us,
        browser=browser,
        os=os_,
        device=device,
        source=source,
        campaign=campaign,
        referrer=referrer,
        country=country,
        company_size=company_size,
        first_name=first_name,
        last_name=last_name,
        email_domain=email_domain,
        signup_method=sample(rng, vocab.distribution("signup_method", model.SIGNUP_METHODS), n),
        onboarded_day_one=onboarded_day_one & signed,
        onboard_us=np.where(signed, onboard_us, NEVER),
        project_in_signup=signed & (rng.random(n) < model.PROJECT_IN_SIGNUP_SESSION),
        share_us=np.where(signed, share_us, NEVER),
        churned=churned,
        stop_us=stop_us,
        activity=np.where(churned, truths.CHURN_GROUP_ACTIVITY, rng.uniform(*model.DAILY_ACTIVITY, n)),
        weeks_active=np.where(churned, timeline.days, truths.weeks_until_dropout(rng, onboarded_day_one)),
        variant=variant,
        plan=plan,
        amount=amount,
        attempts_us=np.where(signed[:, None], attempts_us, NEVER),
        purchase_us=np.where(signed, purchase_us, NEVER),
        cancel_us=np.where(signed, cancel_us, NEVER),
    )
    _forget_after_stop(pop)
    return pop


def _channels(
    rng: np.random.Generator, n: int, signup_us: np.ndarray, timeline: Timeline, vocab: Vocabulary
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    names = list(truths.UTM_SOURCES)
    share = np.array(list(truths.UTM_SOURCES.values()))
    pick = rng.choice(len(names), size=n, p=share / share.sum())

    def lookup(table: Mapping[Any, str], prop: str) -> np.ndarray:
        codes = [NONE if (value := table.get(s)) is None else vocab.code(prop, value, "person") for s in names]
        return np.array(codes, dtype=np.uint8)[pick]

    source = np.array(
        [NONE if s is None else vocab.code("$initial_utm_source", s, "person") for s in names], dtype=np.uint8
    )[pick]
    campaign = lookup(model.CAMPAIGN_BY_SOURCE, "$initial_utm_campaign")
    # Newsletter readers who arrived in the week after the promo mail came through that campaign.
    promo_us = timeline.us(truths.planted_annotations(timeline)[0][0])
    in_promo = (source == vocab.code("$initial_utm_source", "newsletter", "person")) & (
        (signup_us >= promo_us) & (signup_us < promo_us + 7 * US_PER_DAY)
    )
    campaign = np.where(in_promo, vocab.code("$initial_utm_campaign", "spring_promo", "person"), campaign)
    return source, campaign.astype(np.uint8), lookup(model.REFERRER_BY_SOURCE, "$initial_referring_domain")


def _onboarding(rng: np.random.Generator, signup_us: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(signup_us)
    day_one = rng.random(n) < truths.ONBOARDED_DAY_ONE
    later = ~day_one & (rng.random(n) < model.ONBOARDED_LATER_RATE)
    offset_s = np.where(day_one, rng.uniform(120, 1200, n), rng.uniform(1, 14, n) * 86_400)
    onboard_us = np.where(day_one | later, signup_us + (offset_s * US_PER_SECOND).astype(np.int64), NEVER)
    return day_one, onboard_us


def _churn(
    rng: np.random.Generator, signup_us: np.ndarray, visitor: np.ndarray, timeline: Timeline
) -> tuple[np.ndarray, np.ndarray]:
    n = len(signup_us)
    tenure_days = (timeline.end_us - signup_us) / US_PER_DAY
    churned = ~visitor & (tenure_days >= truths.CHURN_MIN_TENURE_DAYS) & (rng.random(n) < truths.CHURN_GROUP_SHARE)
    silent_days = truths.CHURN_SILENT_DAYS + rng.integers(0, truths.CHURN_SILENCE_SPREAD + 1, n)
    last_day = timeline.days - 1 - silent_days  # their last active day (today is day ``days - 1``)
    stop_us = np.where(churned, timeline.day_start_us(last_day + 1), timeline.end_us)
    return churned, stop_us


def _plans(rng: np.random.Generator, source: np.ndarray, vocab: Vocabulary) -> tuple[np.ndarray, np.ndarray]:
    n = len(source)
    team_rate = np.full(n, truths.DEFAULT_TEAM_PLAN_RATE)
    annual_rate = np.full(n, truths.DEFAULT_ANNUAL_BILLING_RATE)
    for name, rate in truths.TEAM_PLAN_RATE.items():
        team_rate[source == vocab.code("$initial_utm_source", name, "person")] = rate
    for name, rate in truths.ANNUAL_BILLING_RATE.items():
        annual_rate[source == vocab.code("$initial_utm_source", name, "person")] = rate
    team = rng.random(n) < team_rate
    annual = rng.random(n) < annual_rate
    amount = np.select(
        [~team & ~annual, ~team & annual, team & ~annual],
        [model.PRICES[("pro", False)], model.PRICES[("pro", True)], model.PRICES[("team", False)]],
        model.PRICES[("team", True)],
    )
    plan = np.where(team, vocab.code("plan", "team"), vocab.code("plan", "pro")).astype(np.uint8)
    return plan, amount


def _checkouts(
    rng: np.random.Generator,
    signup_us: np.ndarray,
    shared_first_week: np.ndarray,
    variant: np.ndarray,
    broken_browser: np.ndarray,
    stop_us: np.ndarray,
    timeline: Timeline,
) -> tuple[np.ndarray, np.ndarray]:
    """Checkout attempts until one converts, a retry is skipped, or time runs out."""
    n = len(signup_us)
    break_us = timeline.us(truths.break_moment(timeline))
    attempts = np.full((n, model.MAX_CHECKOUT_ATTEMPTS), NEVER, dtype=np.int64)
    purchase_us = np.full(n, NEVER, dtype=np.int64)
    intent = rng.random(n) < np.where(shared_first_week, truths.CHECKOUT_INTENT[True], truths.CHECKOUT_INTENT[False])
    when = signup_us + ((0.5 + rng.exponential(model.DAYS_TO_FIRST_CHECKOUT, n)) * US_PER_DAY).astype(np.int64)
    trying = intent
    for i in range(model.MAX_CHECKOUT_ATTEMPTS):
        trying = trying & (when < stop_us)
        attempts[:, i] = np.where(trying, when, NEVER)
        converts = trying & truths.checkout_converts(rng, when, variant, broken_browser, break_us)
        purchase_us = np.where(converts, when + rng.integers(60, 480, n) * US_PER_SECOND, purchase_us)
        trying = trying & ~converts & (rng.random(n) < model.RETRY_CHECKOUT_RATE)
        when = when + ((1 + rng.exponential(3.0, n)) * US_PER_DAY).astype(np.int64)
    return attempts, purchase_us


def _forget_after_stop(pop: Population) -> None:
    """Milestones that would fall after a person's last moment (or after the end) never happen."""
    limit = pop.stop_us
    for name in ("onboard_us", "share_us", "cancel_us"):
        t = getattr(pop, name)
        setattr(pop, name, np.where(t < limit, t, NEVER))
    pop.onboarded_day_one &= pop.onboard_us != NEVER
    pop.purchase_us = np.where(pop.purchase_us < limit, pop.purchase_us, NEVER)
