"""Paperplane's ordinary behaviour: who the users are and what they do on a normal day.

The planted effects live in ``truths.py``; this module is the background they
stand out from.
"""

from __future__ import annotations

from ...model import Habits, normalised
from . import truths

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
VISITOR_SHARE = 0.35  # persons who look around the website and never sign up
VISITORS_SEEING_PRICING = 0.4  # visitors who go on from the landing page to /pricing

EMAIL_DOMAINS = ("gmail.com", "outlook.com", "acme.io", "globex.com", "initech.co", "umbrella.dev", "hooli.xyz")

# --- when they are around -------------------------------------------------------------------

DAILY_ACTIVITY = (0.25, 0.7)  # a person's base chance to show up on a given day, uniform in this range

HABITS = Habits(
    weekday_factor=truths.WEEKDAY_FACTOR,
    hour_weights=normalised([2, 1, 1, 1, 1, 2, 3, 5, 7, 9, 10, 10, 9, 9, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2]),
    signup_growth=0.6,
    extra_sessions_per_day=0.3,
    referrers={"$direct": 85, "www.google.com": 8, "news.ycombinator.com": 7},
    bounce_rate=0.12,
    actions_per_session=5.0,
    seconds_between_events=45.0,
    activity_mix={
        "$pageview": 30,
        "feature_used": 26,
        "file_uploaded": 11,
        "search_performed": 12,
        "file_shared": 5,
        "invite_sent": 1.5,
        "support_ticket_created": 0.6,
    },
    app_pages={"/app": 70, "/docs": 12, "/pricing": 6, "/blog": 7, "/": 5},
    login_event="logged_in",
    login_rate=0.3,
    closing_event="$pageleave",
)

# --- what they do in a session --------------------------------------------------------------

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
