"""Celery app: in production workers consume from Redis; by default tasks run inline."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.production")

app = Celery("shop")
# The current app is per thread: without this, a request served in another thread (runserver,
# threaded workers) would send its tasks through Celery's built-in default app.
app.set_default()
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
