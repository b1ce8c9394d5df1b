"""Production settings with the bench's baseline view mounted and the demo allowed
(the bench loads demo data into its own database, never a real one).

The environment picks the stack, as it does in production: DATABASE_URL (PostgreSQL; empty: an
embedded SQLite file) and REDIS_URL (the shared cache and cached_db sessions, base.py; empty: the
local-memory cache and database sessions, as `make run`)."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# The buyers' confirmation e-mails go to files (EMAIL_FILE_PATH below), not the terminal.
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
# Production refuses to start without a media bucket; the bench keeps its media on local disk (below).
os.environ.setdefault("AWS_STORAGE_BUCKET_NAME", "bench-media-on-local-disk")

# Production also refuses any database but PostgreSQL. The bench measures the embedded default
# (SQLite) too, so production's checks see a stand-in URL, never connected to, and the bench's
# own database is set below. The environment is put back at once: gunicorn, started from a
# bench process, inherits it.
BENCH_DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRESQL = BENCH_DATABASE_URL.startswith(("postgres://", "postgresql://"))
if not ON_POSTGRESQL:
    os.environ["DATABASE_URL"] = "postgres://bench-stand-in@127.0.0.1:5432/never-connected"
try:
    from shop.settings.production import *  # noqa: E402,F401,F403
    from shop.settings.production import BASE_DIR, DATABASES, SQLITE_OPTIONS, STORAGES, env  # noqa: E402
finally:
    if BENCH_DATABASE_URL:
        os.environ["DATABASE_URL"] = BENCH_DATABASE_URL
    else:
        os.environ.pop("DATABASE_URL", None)

ROOT_URLCONF = "bench.urls"
DEMO_ALLOWED = True
if not ON_POSTGRESQL:
    DATABASES = {
        "default": env.db_url_config(BENCH_DATABASE_URL or f"sqlite:///{BASE_DIR / 'var' / 'bench.sqlite3'}")
    }
    DATABASES["default"]["ATOMIC_REQUESTS"] = True
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS  # the embedded default's (why: base.py)
STATIC_ROOT = BASE_DIR / "var" / "bench-static"
MEDIA_ROOT = BASE_DIR / "var" / "bench-media"
STORAGES = {**STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
EMAIL_FILE_PATH = BASE_DIR / "var" / "bench-mail"  # when the bench picks the file e-mail backend
