"""Paperplane's ordinary behaviour: who the users are and what they do on a normal day.

The planted effects live in ``truths.py``; this module is the background they
stand out from. Every categorical value is named as in the taxonomy and turned
into a code (its index in the taxonomy's ``values``) by ``Vocabulary``, so the
taxonomy stays the single source of names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import CatalogError
from ..taxonomy import Taxonomy

NONE = 255  # code of an absent value (no UTM source, no plan for an anonymous visitor)


@dataclass(frozen=True)
class Vocabulary:
    """Event names and property values in taxonomy order; a value's code is its index."""

    events: tuple[str, ...]
    event_values: dict[str, tuple[str, ...]]
    person_values: dict[str, tuple[str, ...]]

    @classmethod
    def from_taxonomy(cls, tax: Taxonomy) -> Vocabulary:
        return cls(
            events=tuple(tax.events),
            event_values={n: p.values for n, p in tax.event_properties.items()},
            person_values={n: p.values for n, p in tax.person_properties.items()},
        )

    def event(self, name: str) -> int:
        try:
            return self.events.index(name)
        except ValueError:
            raise CatalogError("engine/demo/taxonomy.yaml", f"the demo generator needs event {name!r}") from None

    def code(self, prop: str, value: str, scope: str = "event") -> int:
        values = (self.event_values if scope == "event" else self.person_values).get(prop, ())
        if value not in values:
            raise CatalogError(
                "engine/demo/taxonomy.yaml", f"{scope} property {prop!r} needs the value {value!r}", key=prop
            )
        return values.index(value)

    def distribution(
        self, prop: str, weights: Mapping[str, float], scope: str = "event"
    ) -> tuple[np.ndarray, np.ndarray]:
        """Codes and normalised probabilities for sampling ``prop`` with ``weights`` by value name."""
        codes = np.array([self.code(prop, v, scope) for v in weights], dtype=np.uint8)
        p = np.array(list(weights.values()), dtype=np.float64)
        return codes, p / p.sum()


def sample(rng: np.random.Generator, dist: tuple[np.ndarray, np.ndarray], size: int) -> np.ndarray:
    codes, p = dist
    return codes[rng.choice(len(codes), size=size, p=p)]


# --- who the users are ----------------------------------------------------------------------

# (browser, os, device, share %): a person keeps one platform; Safari is about 30% of users.
PLATFORMS: tuple[tuple[str, str, str, float], ...] = (
    ("Chrome", "Windows", "Desktop", 25),
    ("Chrome", "Mac OS X", "Desktop", 10),
    ("Chrome", "Linux", "Desktop", 3),
    ("Chrome", "Android", "Mobile", 7),
    ("Safari", "Mac OS X", "Desktop", 15),
    ("Safari", "iOS", "Mobile", 12),
    ("Safari", "iOS", "Tablet", 3),
    ("Firefox", "Windows", "Desktop", 7),
    ("Firefox", "Linux", "Desktop", 3),
    ("Firefox", "Mac OS X", "Desktop", 2),
    ("Edge", "Windows", "Desktop", 13),
)
COUNTRIES = {"US": 35, "GB": 12, "DE": 10, "FR": 8, "IN": 12, "BR": 8, "CA": 8, "AU": 7}
COMPANY_SIZES = {"1": 25, "2-10": 35, "11-50": 22, "51-200": 12, "201+": 6}
SIGNUP_METHODS = {"email": 45, "google": 45, "github": 10}
# Where a person first came from, by UTM source (None = no UTM: direct traffic).
CAMPAIGN_BY_SOURCE = {"google": "brand", "twitter": "launch", "producthunt": "launch", "newsletter": "weekly_digest"}
REFERRER_BY_SOURCE = {
    "google": "www.google.com",
    "twitter": "twitter.com",
    "producthunt": "www.producthunt.com",
    "newsletter": "$direct",
    None: "$direct",
}
LATER_SESSION_REFERRERS = {"$direct": 85, "www.google.com": 8, "news.ycombinator.com": 7}
VISITOR_SHARE = 0.35  # persons who look around the website and never sign up
VISITORS_SEEING_PRICING = 0.4  # visitors who go on from the landing page to /pricing

FIRST_NAMES = (
    "Ada",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Mateo",
    "Nora",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wen",
    "Yuki",
)
LAST_NAMES = (
    "Adams",
    "Bauer",
    "Costa",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Hansen",
    "Ito",
    "Jensen",
    "Khan",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Patel",
    "Rossi",
    "Silva",
    "Tanaka",
    "Weber",
)
EMAIL_DOMAINS = ("gmail.com", "outlook.com", "acme.io", "globex.com", "initech.co", "umbrella.dev", "hooli.xyz")

# --- when they are around -------------------------------------------------------------------

HOUR_WEIGHTS = np.array([2, 1, 1, 1, 1, 2, 3, 5, 7, 9, 10, 10, 9, 9, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2], dtype=float)
HOUR_WEIGHTS /= HOUR_WEIGHTS.sum()
SIGNUP_GROWTH = 0.6  # the last day gets 60% more signups than the first
DAILY_ACTIVITY = (0.25, 0.7)  # a person's base chance to show up on a given day, uniform in this range
EXTRA_SESSIONS_PER_DAY = 0.3  # Poisson mean of sessions beyond the first on an active day

# --- what they do in a session --------------------------------------------------------------

BOUNCE_RATE = 0.12  # sessions that are one pageview and a pageleave
ACTIONS_PER_SESSION = 5.0  # Poisson mean of events between the first pageview and the pageleave
LOGIN_RATE = 0.3  # sessions that start with logged_in (the rest still had a session cookie)
SECONDS_BETWEEN_EVENTS = 45.0
ACTIVITY_MIX = {
    "$pageview": 30,
    "feature_used": 26,
    "file_uploaded": 11,
    "search_performed": 12,
    "file_shared": 5,
    "invite_sent": 1.5,
    "support_ticket_created": 0.6,
}
APP_PAGES = {"/app": 70, "/docs": 12, "/pricing": 6, "/blog": 7, "/": 5}
LANDING_PAGES = {"/": 60, "/blog": 25, "/pricing": 15}
FEATURES = {
    "editor": 30,
    "comments": 18,
    "templates": 14,
    "export_pdf": 12,
    "ai_assist": 12,
    "integrations": 8,
    "dark_mode": 6,
}
FILE_TYPES = {"pdf": 40, "docx": 30, "png": 20, "csv": 10}
SHARE_TYPES = {"link": 65, "email": 35}
TICKET_CATEGORIES = {"billing": 25, "bug": 35, "how_to": 30, "account": 10}
CANCEL_REASONS = {"too_expensive": 35, "missing_feature": 20, "switched_tool": 15, "not_using": 25, "other": 5}

# --- the path to paying ---------------------------------------------------------------------

ONBOARDED_LATER_RATE = 0.3  # of those who did not onboard on day one, onboard within two weeks
PROJECT_IN_SIGNUP_SESSION = 0.75
INVITES_WITH_FIRST_SHARE = 0.4  # first-week sharers who also invite a teammate right away
DAYS_TO_FIRST_CHECKOUT = 7.0  # exponential mean after signup
RETRY_CHECKOUT_RATE = 0.5  # a failed checkout is tried again a few days later, at most three attempts
MAX_CHECKOUT_ATTEMPTS = 3
CANCEL_RATE = 0.12
PRICES = {("pro", False): 15.0, ("pro", True): 150.0, ("team", False): 49.0, ("team", True): 490.0}  # (plan, annual)
