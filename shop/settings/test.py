"""Settings for the test suite: fast hashing, no outside services."""

from .base import *  # noqa: F401,F403
from .base import BASE_DIR, env

DEBUG = False
SECRET_KEY = "test-only-key"
DEMO_ALLOWED = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "shop.core.sms.LocmemBackend"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "test-media")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = True

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not memory, so `--reuse-db` can keep it between local runs.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": env("TEST_DB_FILE", default=str(BASE_DIR / "var" / "test-db.sqlite3"))
    }

# Serve static files straight from the apps (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Stripe is off unless a test turns it on (against localstripe): the demo payment is used.
STRIPE_SECRET_KEY = STRIPE_PUBLISHABLE_KEY = STRIPE_WEBHOOK_SECRET = STRIPE_API_BASE = ""

# The reports' replica (shop/core/replicas.py) as a test mirror of the test database. Off, except
# where a test turns REPORTS_FROM_REPLICA on to prove which reads go there.
# Read-only: no request transaction of its own (a second BEGIN IMMEDIATE on the same SQLite file
# would wait for the primary's).
DATABASES["reports"] = {**DATABASES["default"], "ATOMIC_REQUESTS": False, "TEST": {"MIRROR": "default"}}  # noqa: F405
REPORTS_FROM_REPLICA = False
