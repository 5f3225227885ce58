"""Billfold's ordinary behaviour: which businesses sign up and what they do on a normal working day.

The planted effects live in ``truths.py``; this module is the background they
stand out from.
"""

from __future__ import annotations

from ...model import Habits, normalised
from ...people import Platform
from . import truths

# --- who the accounts are -------------------------------------------------------------------

# A business tool: mostly desktops, Safari well behind Chrome.
PLATFORMS: tuple[Platform, ...] = (
    ("Chrome", "Windows", "Desktop", 34),
    ("Chrome", "Mac OS X", "Desktop", 16),
    ("Chrome", "Android", "Mobile", 5),
    ("Safari", "Mac OS X", "Desktop", 12),
    ("Safari", "iOS", "Mobile", 5),
    ("Safari", "iOS", "Tablet", 3),
    ("Firefox", "Windows", "Desktop", 5),
    ("Firefox", "Linux", "Desktop", 3),
    ("Edge", "Windows", "Desktop", 17),
)
COUNTRIES = {"US": 30, "GB": 16, "DE": 15, "FR": 10, "NL": 8, "CA": 12, "AU": 9}
CURRENCY_BY_COUNTRY = {"US": "USD", "CA": "USD", "AU": "USD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "NL": "EUR"}
COMPANY_SIZES = {"1": 40, "2-10": 35, "11-50": 18, "51-200": 7}
INDUSTRIES = {"consulting": 26, "agency": 22, "construction": 14, "retail": 12, "software": 16, "healthcare": 10}
REFERRER_BY_SOURCE = {
    "google": "www.google.com",
    "linkedin": "www.linkedin.com",
    "capterra": "www.capterra.com",
    "partner": "$direct",
    None: "$direct",
}
VISITOR_SHARE = 0.3  # persons who look around the website and never sign up
VISITORS_SEEING_PRICING = 0.5
EMAIL_DOMAINS = ("gmail.com", "outlook.com", "studio-north.co", "brightbuild.com", "ledgerwise.io", "carecorner.org")

# --- when they are around -------------------------------------------------------------------

DAILY_ACTIVITY = (0.2, 0.6)  # an account's base chance to show up on a working day, uniform in this range

HABITS = Habits(
    weekday_factor=truths.WEEKDAY_FACTOR,
    hour_weights=normalised([1, 1, 1, 1, 1, 1, 2, 5, 9, 11, 11, 10, 8, 9, 10, 10, 9, 7, 4, 3, 2, 2, 1, 1]),
    signup_growth=0.4,
    extra_sessions_per_day=0.2,
    referrers={"$direct": 90, "www.google.com": 10},
    bounce_rate=0.1,
    actions_per_session=4.0,
    seconds_between_events=40.0,
    activity_mix={"$pageview": 60, "client_added": 8, "report_exported": 6, "reminder_sent": 5},
    app_pages={"/app": 30, "/invoices": 30, "/clients": 18, "/reports": 12, "/settings": 6, "/billing": 4},
    login_event="$identify",
    login_rate=0.25,
)

# --- what they do in a session --------------------------------------------------------------

LANDING_PAGES = {"/": 50, "/features": 20, "/pricing": 15, "/blog": 15}
CLIENT_IN_SIGNUP_SESSION = 0.7
DELIVERIES = {"email": 80, "link": 20}
PAYMENT_METHODS = {"card": 55, "bank_transfer": 35, "paypal": 10}
REPORT_TYPES = {"profit_and_loss": 45, "tax_summary": 35, "aging": 20}

# --- invoices and their lifecycle -----------------------------------------------------------

SLOW_START_SHARE = 0.65  # of the others, send a first invoice later (the rest never do)
DAYS_TO_SLOW_START = 7.0  # exponential mean after the fast-start window
INVOICES_PER_WEEK = {"1": 1.0, "2-10": 1.6, "11-50": 2.6, "51-200": 3.5}  # after the first, by company_size
INVOICE_LOG_MEAN, INVOICE_LOG_SD = 6.0, 0.5  # an account's typical invoice: e^6 ≈ 400 in its currency
INVOICE_SPREAD = 0.4  # log-sd of one invoice around the account's typical amount
INVOICE_SCALE_BY_SIZE = {"1": 1.0, "2-10": 1.6, "11-50": 2.4, "51-200": 3.2}
VIEWED_UNPAID = 0.6  # unpaid invoices the client still opens (a paid one is always opened first)
DAYS_TO_VIEW = 1.0  # exponential mean after sending, for invoices never paid
DAYS_TO_PAY = 6.0  # exponential mean, after a day, from sending to paying

# --- the path to paying Billfold ------------------------------------------------------------

DAYS_TO_SUBSCRIBE = 10.0  # exponential mean, after a day, from signup
BUSINESS_PLAN_RATE = {"partner": 0.6}
DEFAULT_BUSINESS_PLAN_RATE = 0.3
PRICES = {"starter": 19.0, "business": 49.0}  # per month, USD
