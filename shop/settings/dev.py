"""Local development and the demo: the embedded default."""

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
# Public on purpose: the dev key only ever signs local sessions.
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-wumeng-market")
DEMO_ALLOWED = True

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
