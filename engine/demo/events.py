"""The events of a population chunk: scripted milestone sessions plus everyday sessions.

Milestones (signup, onboarding, the first-week share, checkout attempts,
cancellations) follow short scripts at the moments ``population.py`` chose;
everyday sessions fill the days in between. Rows are columns of numpy arrays,
so millions of events never become Python objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from . import model, truths
from .model import NONE, Vocabulary, sample
from .population import NEVER, Population
from .timeline import US_PER_DAY, US_PER_SECOND, Timeline

NO_SESSION = -1


@dataclass
class Events:
    person: np.ndarray  # index into the chunk's Population
    ts: np.ndarray  # microseconds since the epoch
    event: np.ndarray  # code: index into Vocabulary.events
    session: np.ndarray  # session number within the chunk, NO_SESSION for server-side events
    anon: np.ndarray  # sent before the person identified (anonymous distinct_id)
    page: np.ndarray  # $pathname code of the page the event happened on (NONE server-side)
    value: np.ndarray  # the event's own categorical property code (NONE if it has none)
    number: np.ndarray  # the event's numeric property (size_mb, query_length, amount)
    referrer: np.ndarray  # $referring_domain code

    def __len__(self) -> int:
        return len(self.ts)

    def take(self, index: np.ndarray) -> Events:
        return Events(**{k: v[index] for k, v in vars(self).items()})

    @staticmethod
    def concat(parts: list[Events]) -> Events:
        return Events(**{k: np.concatenate([vars(p)[k] for p in parts]) for k in vars(parts[0])})


@dataclass(frozen=True)
class Step:
    """One event of a scripted session; ``gate`` names a per-person condition for it to happen."""

    event: str
    page: str | Mapping[str, float] | None = None  # fixed path, or weights to draw one
    anon: bool = False
    gate: str | None = None


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


def _full(value: np.ndarray | int | bool, dtype: type, n: int) -> np.ndarray:
    """A column of ``n`` rows from a scalar or an array (copied, so later edits stay local)."""
    return np.broadcast_to(np.asarray(value, dtype=dtype), (n,)).copy()


class _Builder:
    """Accumulates event columns and hands out session numbers."""

    def __init__(self, rng: np.random.Generator, vocab: Vocabulary):
        self.rng = rng
        self.vocab = vocab
        self.parts: list[Events] = []
        self.sessions = 0

    def new_sessions(self, n: int) -> np.ndarray:
        ids = np.arange(self.sessions, self.sessions + n, dtype=np.int64)
        self.sessions += n
        return ids

    def add(
        self,
        person: np.ndarray,
        ts: np.ndarray,
        event: np.ndarray | int,
        session: np.ndarray | int,
        anon: np.ndarray | bool = False,
        page: np.ndarray | int = NONE,
        referrer: np.ndarray | int = NONE,
    ) -> None:
        n = len(person)
        self.parts.append(
            Events(
                person=person.astype(np.int64),
                ts=ts.astype(np.int64),
                event=_full(event, np.uint8, n),
                session=_full(session, np.int64, n),
                anon=_full(anon, bool, n),
                page=_full(page, np.uint8, n),
                value=np.full(n, NONE, np.uint8),
                number=np.zeros(n),
                referrer=_full(referrer, np.uint8, n),
            )
        )

    def script(
        self,
        who: np.ndarray,
        start_us: np.ndarray,
        steps: tuple[Step, ...],
        gates: dict[str, np.ndarray],
        referrer: np.ndarray,
    ) -> None:
        """One session per person in ``who``; the steps follow each other by a few dozen seconds."""
        session = self.new_sessions(len(who))
        ts = start_us.copy()
        for step in steps:
            keep = gates[step.gate] if step.gate else np.ones(len(who), bool)
            drawn: int | np.ndarray = NONE
            if isinstance(step.page, str):
                drawn = self.vocab.code("$pathname", step.page)
            elif step.page is not None:
                drawn = sample(self.rng, self.vocab.distribution("$pathname", step.page), len(who))
            page = np.broadcast_to(np.asarray(drawn, np.uint8), (len(who),))
            self.add(
                who[keep], ts[keep], self.vocab.event(step.event), session[keep], step.anon, page[keep], referrer[keep]
            )
            ts = (
                ts + (self.rng.exponential(model.SECONDS_BETWEEN_EVENTS, len(who)) * US_PER_SECOND).astype(np.int64) + 1
            )


def generate(rng: np.random.Generator, pop: Population, timeline: Timeline, vocab: Vocabulary) -> Events:
    b = _Builder(rng, vocab)
    _milestones(b, pop)
    _everyday_sessions(b, pop, timeline)
    return _finish(Events.concat(b.parts), pop, timeline, vocab, rng)


def _milestones(b: _Builder, pop: Population) -> None:
    rng, vocab = b.rng, b.vocab
    everyone = np.arange(len(pop))
    direct = np.full(len(pop), vocab.code("$referring_domain", "$direct"), np.uint8)
    initial = _initial_referrer(pop, vocab)
    signed, visitor = everyone[~pop.visitor], everyone[pop.visitor]
    lead_in = (rng.uniform(60, 300, len(pop)) * US_PER_SECOND).astype(np.int64)
    b.script(
        signed,
        pop.signup_us[signed] - lead_in[signed],
        SIGNUP,
        {"onboarded_day_one": pop.onboarded_day_one[signed], "project_in_signup": pop.project_in_signup[signed]},
        initial[signed],
    )
    b.script(
        visitor,
        pop.signup_us[visitor],
        VISIT,
        {"curious": rng.random(len(visitor)) < model.VISITORS_SEEING_PRICING},
        initial[visitor],
    )
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


def _initial_referrer(pop: Population, vocab: Vocabulary) -> np.ndarray:
    """The person's initial referring domain as an event-scope $referring_domain code."""
    names = vocab.person_values["$initial_referring_domain"]
    mapping = np.array([vocab.code("$referring_domain", n) for n in names], np.uint8)
    referrers: np.ndarray = mapping[pop.referrer]
    return referrers


def _everyday_sessions(b: _Builder, pop: Population, timeline: Timeline) -> None:
    """Sessions on the days after signup until the person drops out (truth 5), fewer at weekends (truth 7)."""
    rng, vocab = b.rng, b.vocab
    signup_day = timeline.day_of(pop.signup_us)
    last_day = timeline.day_of(pop.stop_us - 1)
    day = np.arange(timeline.days)[None, :]
    since = day - signup_day[:, None]
    chance = pop.activity[:, None] * truths.WEEKDAY_FACTOR[timeline.weekday(day)]
    still_around = (since // 7 < pop.weeks_active[:, None]) & (day <= last_day[:, None])
    eligible = (since >= 1) & still_around & ~pop.visitor[:, None]
    person, active_day = np.nonzero(eligible & (rng.random(chance.shape) < chance))
    per_day = 1 + rng.poisson(model.EXTRA_SESSIONS_PER_DAY, len(person))
    person, active_day = np.repeat(person, per_day), np.repeat(active_day, per_day)
    n = len(person)
    hour = rng.choice(24, size=n, p=model.HOUR_WEIGHTS)
    start = timeline.day_start_us(active_day) + (hour * 3600 + rng.integers(0, 3600, n)) * US_PER_SECOND
    session = b.new_sessions(n)
    referrer = sample(rng, vocab.distribution("$referring_domain", model.LATER_SESSION_REFERRERS), n)

    bounce = rng.random(n) < model.BOUNCE_RATE
    actions = np.where(bounce, 0, 1 + rng.poisson(model.ACTIONS_PER_SESSION - 1, n))
    length = actions + 2  # first pageview + actions + pageleave
    row_session = np.repeat(np.arange(n), length)
    first_row = np.cumsum(length) - length
    position = np.arange(len(row_session)) - first_row[row_session]
    last = position == length[row_session] - 1

    event = sample(rng, _event_distribution(vocab, model.ACTIVITY_MIX), len(row_session))
    event[position == 0] = vocab.event("$pageview")
    login = (rng.random(n) < model.LOGIN_RATE)[row_session] & (position == 1) & ~last
    event[login] = vocab.event("logged_in")
    event[last] = vocab.event("$pageleave")

    gap = rng.exponential(model.SECONDS_BETWEEN_EVENTS, len(row_session)) * US_PER_SECOND
    gap[position == 0] = 0
    elapsed = np.cumsum(gap)
    elapsed -= elapsed[first_row][row_session]
    ts = start[row_session] + elapsed.astype(np.int64)
    b.add(person[row_session], ts, event, session[row_session], False, NONE, referrer[row_session])


def _event_distribution(vocab: Vocabulary, weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    codes = np.array([vocab.event(e) for e in weights], np.uint8)
    p = np.array(list(weights.values()), float)
    return codes, p / p.sum()


def _finish(events: Events, pop: Population, timeline: Timeline, vocab: Vocabulary, rng: np.random.Generator) -> Events:
    """Drop what falls after the end, order sessions, then fill pages and event properties."""
    events = events.take(np.nonzero(events.ts < np.minimum(timeline.end_us, pop.stop_us[events.person]))[0])
    events = events.take(np.lexsort((events.ts, events.session, events.person)))
    _keep_first_week_shares_planted(events, pop, vocab)
    _follow_pages(events, vocab, rng)
    _fill_properties(events, pop, vocab, rng)
    return events


def _keep_first_week_shares_planted(events: Events, pop: Population, vocab: Vocabulary) -> None:
    """Truth 3 is about who shares in week one: everyday sessions may not share then unless planted."""
    shares = events.event == vocab.event("file_shared")
    planted = pop.share_us[events.person] != NEVER
    first_week = events.ts < pop.signup_us[events.person] + 7 * US_PER_DAY
    events.event[shares & first_week & ~planted] = vocab.event("file_uploaded")


def _follow_pages(events: Events, vocab: Vocabulary, rng: np.random.Generator) -> None:
    """Everyday pageviews draw a page; every other browser event happens on the last page viewed."""
    pageview = events.event == vocab.event("$pageview")
    unset = pageview & (events.page == NONE)
    events.page[unset] = sample(rng, vocab.distribution("$pathname", model.APP_PAGES), int(unset.sum()))
    last_view = np.maximum.accumulate(np.where(pageview, np.arange(len(events)), 0))
    in_session = events.session != NO_SESSION
    events.page[in_session & ~pageview] = events.page[last_view[in_session & ~pageview]]


def _fill_properties(events: Events, pop: Population, vocab: Vocabulary, rng: np.random.Generator) -> None:
    def rows(name: str) -> np.ndarray:
        return np.nonzero(events.event == vocab.event(name))[0]

    def draw(name: str, prop: str, weights: Mapping[str, float]) -> None:
        r = rows(name)
        events.value[r] = sample(rng, vocab.distribution(prop, weights), len(r))

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
