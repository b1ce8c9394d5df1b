"""Production: every secret comes from the environment, or the site refuses to start.

`manage.py check --deploy --fail-level WARNING` passes with these settings (a test runs it).
"""

import math
import os
from collections import Counter
from urllib.parse import urlsplit

from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import (
    AWS_S3_ENDPOINT_URL,
    AWS_STORAGE_BUCKET_NAME,
    DATABASES,
    MIDDLEWARE,
    STORAGES,
    STRIPE_JS_URL,
    STRIPE_PUBLISHABLE_KEY,
    env,
)
from .base import INSTALLED_APPS as BASE_INSTALLED_APPS


def required(name: str) -> str:
    # Read as written: django-environ would take a value starting with "$" (a generated key, one
    # time in fifty) for the name of another variable.
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in the environment for production.")
    return value


def switch(name: str, *, default: bool) -> bool:
    # An empty value means the default, as everywhere in .env.example, not "false".
    return env.bool(name) if env(name, default="") else default


def number(name: str, *, default: int) -> int:
    return env.int(name) if env(name, default="") else default


# Keys that are public (in this repository) and so sign nothing in production.
PUBLIC_KEYS = {"dev-only-insecure-key-wumeng-market", "test-only-key"}
# Django's own deploy check (security.W009) asks for 50 characters and 5 distinct ones. That
# still lets "abcde" * 10 through, so the key's Shannon entropy, counted from how often each
# character occurs, must also reach 128 bits. Frequencies cannot see order or meaning: a
# repeated long pattern or a sentence still passes. Generate the key, never type it.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_DISTINCT = 5
SECRET_KEY_MIN_ENTROPY_BITS = 128


def shannon_bits(text: str) -> float:
    counts = Counter(text)
    per_character = -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())
    return per_character * len(text)


def secret_key_refusal(key: str) -> str | None:
    """Why `key` must not sign production sessions, or None when it may."""
    if key in PUBLIC_KEYS or key.startswith("django-insecure-"):
        return "SECRET_KEY is a public development key; generate a new one for production."
    if len(key) < SECRET_KEY_MIN_LENGTH or len(set(key)) < SECRET_KEY_MIN_DISTINCT:
        return (
            f"SECRET_KEY must be at least {SECRET_KEY_MIN_LENGTH} characters long with at least "
            f"{SECRET_KEY_MIN_DISTINCT} different characters."
        )
    if shannon_bits(key) < SECRET_KEY_MIN_ENTROPY_BITS:
        return f"SECRET_KEY is too predictable (less than {SECRET_KEY_MIN_ENTROPY_BITS} bits of entropy)."
    return None


SECRET_KEY = required("SECRET_KEY")
if refusal := secret_key_refusal(SECRET_KEY):
    raise ImproperlyConfigured(
        f"{refusal} For example: python -c 'from django.core.management.utils import "
        "get_random_secret_key; print(get_random_secret_key())'"
    )
DEBUG = env.bool("DEBUG", default=False)
# The demo's accounts share a published password: never load them here.
DEMO_ALLOWED = False

# The database: PostgreSQL. SQLite serialises every request (see base.py) and keeps the ledger
# on one machine's disk; several app servers need one shared database.
required("DATABASE_URL")
if not DATABASES["default"]["ENGINE"].endswith(("postgresql", "postgis")):
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL in production (postgres://...).")
# Keep database connections between requests, checked before reuse: in `make bench` a new
# PostgreSQL connection per request tripled the database's CPU time per checkout.
# A `?conn_max_age=` in DATABASE_URL still wins.
if "conn_max_age" not in env("DATABASE_URL", default=""):
    DATABASES["default"]["CONN_MAX_AGE"] = number("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if "reports" in DATABASES:  # REPORTS_DATABASE_URL: a streaming replica of the primary
    if not DATABASES["reports"]["ENGINE"].endswith(("postgresql", "postgis")):
        raise ImproperlyConfigured("REPORTS_DATABASE_URL must point to a PostgreSQL replica (postgres://...).")
    if "conn_max_age" not in env("REPORTS_DATABASE_URL", default=""):
        DATABASES["reports"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]

# E-mail to buyers (order confirmations, parcels sent and delivered) must leave the machine: the
# console backend would print them, addresses and all, into the logs.
if not (env("EMAIL_URL", default="") or env("EMAIL_BACKEND", default="")):
    raise ImproperlyConfigured(
        "EMAIL_URL must be set in the environment for production (smtp+tls://user:password@host:587), "
        "or EMAIL_BACKEND to another e-mail backend."
    )

# Media on S3-compatible storage: several stateless app servers cannot share a local disk.
# Keys come in pairs; with neither, boto3 finds its own (an instance role, ~/.aws).
required("AWS_STORAGE_BUCKET_NAME")
if bool(env("AWS_ACCESS_KEY_ID", default="")) != bool(env("AWS_SECRET_ACCESS_KEY", default="")):
    raise ImproperlyConfigured(
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together in the environment for production."
    )
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}

# HTTPS only. The load balancer ends TLS and says so in X-Forwarded-Proto; its health probes
# come over plain HTTP and must get an answer, not a redirect.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = switch("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$"]
# Browsers remember HSTS for its whole lifetime, for every subdomain too: set
# SECURE_HSTS_INCLUDE_SUBDOMAINS=false while some subdomain still serves plain HTTP (the deploy
# check then warns). "preload" only allows submitting the domain to the browsers' list; nothing
# is listed until someone does.
SECURE_HSTS_SECONDS = number("SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = switch("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = switch("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = switch("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = switch("CSRF_COOKIE_SECURE", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]


# Content Security Policy (django-csp): the site's own scripts, styles and fonts only; images
# also from the media bucket; Stripe.js and its frames only when Stripe is on. Every page has a
# policy: the shop's strict one, or on the staff areas' paths the staff one below.
def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


MEDIA_ORIGIN = env("CSP_MEDIA_ORIGIN", default="") or (
    origin(AWS_S3_ENDPOINT_URL) if AWS_S3_ENDPOINT_URL else f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"
)
CSP_DIRECTIVES = {
    "default-src": [SELF],
    # A template's inline script runs only with the page's nonce: <script nonce="{{ request.csp_nonce }}">.
    "script-src": [SELF, NONCE],
    "style-src": [SELF],
    "img-src": [SELF, "data:", MEDIA_ORIGIN],
    "connect-src": [SELF],
    "frame-src": [NONE],
    "object-src": [NONE],
    "base-uri": [SELF],
    "frame-ancestors": [NONE],
}
if STRIPE_PUBLISHABLE_KEY:
    STRIPE_JS_ORIGIN = origin(STRIPE_JS_URL)
    if STRIPE_JS_ORIGIN == "https://js.stripe.com":
        # Stripe's published list: Stripe.js, its card and 3-D Secure frames, its API, the
        # WeChat Pay QR code.
        CSP_DIRECTIVES["script-src"] += ["https://js.stripe.com", "https://*.js.stripe.com"]
        CSP_DIRECTIVES["frame-src"] = ["https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"]
        CSP_DIRECTIVES["connect-src"] += ["https://api.stripe.com"]
        CSP_DIRECTIVES["img-src"] += ["https://*.stripe.com"]
    else:
        # A stand-in (localstripe in a demo) serves its script, frames and API from one origin.
        for directive in ("script-src", "connect-src"):
            CSP_DIRECTIVES[directive] += [STRIPE_JS_ORIGIN]
        CSP_DIRECTIVES["frame-src"] = [STRIPE_JS_ORIGIN]
CONTENT_SECURITY_POLICY = {"DIRECTIVES": CSP_DIRECTIVES}
# The staff areas: Wagtail's admin, Oscar's dashboard (ours under /dashboard/impact/ too) and the
# API's docs (Swagger UI, from drf_spectacular_sidecar's static files: no CDN). They run inline
# scripts and styles of their own, so 'unsafe-inline' there and only there; the rest as tight as
# the shop's: this origin only, no eval, no plugins, never framed by another site. A nonce stays
# out: beside one, browsers ignore 'unsafe-inline'. StaffAreaCSPMiddleware (shop/csp.py) picks
# this policy by path; tests/shop/test_browser_csp_staff.py opens each area under it in Chromium.
STAFF_CONTENT_SECURITY_POLICY = {
    "URL_PREFIXES": ["/cms/", "/dashboard/", "/en/dashboard/", "/api/docs/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", MEDIA_ORIGIN],
        "connect-src": [SELF],
        # Wagtail's editor shows the page's live preview in a frame of its own.
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
INSTALLED_APPS = [*BASE_INSTALLED_APPS, "csp"]
# Right after SecurityMiddleware: its redirects to HTTPS need no policy, every page does.
_after_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
MIDDLEWARE = [*MIDDLEWARE[:_after_security], "shop.csp.StaffAreaCSPMiddleware", *MIDDLEWARE[_after_security:]]
