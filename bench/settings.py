"""Production settings with the bench's baseline view mounted and the demo allowed
(the bench loads demo data into its own database, never a real one)."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")

from shop.settings.production import *  # noqa: E402,F401,F403
from shop.settings.production import BASE_DIR, env  # noqa: E402

ROOT_URLCONF = "bench.urls"
DEMO_ALLOWED = True
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'bench.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
STATIC_ROOT = BASE_DIR / "var" / "bench-static"
MEDIA_ROOT = BASE_DIR / "var" / "bench-media"
EMAIL_FILE_PATH = BASE_DIR / "var" / "bench-mail"  # when the bench picks the file e-mail backend
