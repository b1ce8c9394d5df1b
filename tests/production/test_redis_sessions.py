"""Cache and sessions on Redis as production has them (REDIS_URL set), against the machine's
Redis: what one app server wrote, another reads; a sign-in survives a move to another app
server, and even Redis losing everything (the sessions are in the database too)."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache, caches
from django.test import Client
from django.urls import reverse

from tests.production.outside import run_keys, run_keys_delete

pytestmark = [pytest.mark.production, pytest.mark.django_db]


def another_app_server(session_key: str) -> Client:
    """A client as the load balancer sends it to another app server: the same cookie, and none of
    this process's cache connections."""
    caches.close_all()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


def signed_in_buyer(client, people) -> str:
    client.force_login(people.buyer)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_production_keeps_the_cache_and_the_sessions_in_redis(redis_settings):
    assert redis_settings["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis_settings["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"


def test_what_one_app_server_caches_another_reads(redis_cache):
    cache.set("grid:fruit", {"price": Decimal("12.50"), "title": "昭通苹果"}, 60)
    caches.close_all()
    assert cache.get("grid:fruit") == {"price": Decimal("12.50"), "title": "昭通苹果"}
    assert run_keys(redis_cache, "grid:fruit")


def test_a_sign_in_survives_a_move_to_another_app_server(redis_cache, client, people):
    session_key = signed_in_buyer(client, people)
    assert run_keys(redis_cache, session_key)
    response = another_app_server(session_key).get(reverse("customer:profile-view"))
    assert response.status_code == 200


def test_a_sign_in_survives_redis_losing_everything(redis_cache, client, people):
    session_key = signed_in_buyer(client, people)
    run_keys_delete(redis_cache)  # all the cache of this run: sessions, pages
    assert Session.objects.filter(session_key=session_key).exists()
    response = another_app_server(session_key).get(reverse("customer:profile-view"))
    assert response.status_code == 200


def test_a_signed_out_visitor_is_sent_to_sign_in(redis_cache):
    response = another_app_server("no-such-session").get(reverse("customer:profile-view"))
    assert response.status_code == 302
