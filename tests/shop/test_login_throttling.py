"""Sign-in throttling (django-axes) on every sign-in point: five wrong passwords for one name from
one address lock that name out from that address, the right password included, until the
cool-off has passed; other names from the same address still sign in."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from rest_framework.test import APIClient

from shop.factories import DEMO_PASSWORD, UserFactory
from tests.api_helpers import error_of

WRONG = "not-the-password"


@dataclass(frozen=True)
class SignInPoint:
    name: str
    url: str
    username_field: str = "username"
    password_field: str = "password"
    by_email: bool = False
    extra: tuple = ()

    def form(self, user, password: str) -> dict:
        name = user.email if self.by_email else user.username
        return {self.username_field: name, self.password_field: password, **dict(self.extra)}


FORMS = [
    SignInPoint("storefront", "/accounts/login/", "login-username", "login-password", by_email=True,
                extra=(("login_submit", "1"),)),
    SignInPoint("station console", "/station/login/"),
    SignInPoint("impact reports", "/impact/login/"),
    SignInPoint("oscar dashboard", "/dashboard/login/"),
    SignInPoint("wagtail admin", "/cms/login/"),
    SignInPoint("django admin", "/django-admin/login/"),
]


def staff(username: str):
    # Staff and superuser, so that every form (the admins refuse others) lets the right password in.
    return UserFactory(username=username, is_staff=True, is_superuser=True)


def signed_in(client, response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in client.session


def fail_until_locked(client, point, user, **extra):
    responses = [client.post(point.url, point.form(user, WRONG), **extra) for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert all(response.status_code == 200 for response in responses[:-1])
    return responses[-1]


@pytest.mark.parametrize("point", FORMS, ids=lambda point: point.name)
def test_it_locks_a_name_out_after_five_wrong_passwords(client, db, point):
    alice = staff("alice")
    assert fail_until_locked(client, point, alice).status_code == 429
    response = client.post(point.url, point.form(alice, DEMO_PASSWORD))
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("point", FORMS, ids=lambda point: point.name)
def test_another_name_from_the_same_address_still_signs_in(client, db, point):
    alice, bob = staff("alice"), staff("bob")
    fail_until_locked(client, point, alice)
    assert signed_in(client, client.post(point.url, point.form(bob, DEMO_PASSWORD)))


@pytest.mark.parametrize("point", FORMS, ids=lambda point: point.name)
def test_the_right_password_works_again_after_the_cool_off(client, db, point, time_machine):
    alice = staff("alice")
    time_machine.move_to(timezone.now(), tick=False)
    fail_until_locked(client, point, alice)
    time_machine.shift(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
    assert signed_in(client, client.post(point.url, point.form(alice, DEMO_PASSWORD)))


def test_the_same_name_from_another_address_is_not_locked_out(client, db):
    point, alice = FORMS[1], staff("alice")
    fail_until_locked(client, point, alice)
    assert signed_in(client, client.post(point.url, point.form(alice, DEMO_PASSWORD), REMOTE_ADDR="10.20.30.40"))


def test_case_and_spaces_do_not_make_a_new_name(client, db):
    point = FORMS[1]
    staff("alice")
    for name in ["alice", "Alice", " ALICE", "alice ", "aLice"]:
        response = client.post(point.url, {"username": name, "password": WRONG})
    assert response.status_code == 429


def test_the_lockout_page_speaks_the_visitors_language(client, db):
    alice = staff("alice")
    point = SignInPoint("station console", "/en/station/login/")
    response = fail_until_locked(client, point, alice)
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.content


def test_no_password_is_kept_with_the_failed_attempts(client, db):
    alice = staff("alice")
    fail_until_locked(client, FORMS[0], alice)
    kept = "".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert "login-password" in kept
    assert WRONG not in kept


@pytest.mark.parametrize(("forwarded", "proxies", "seen"), [
    ("", 0, "127.0.0.1"),
    ("203.0.113.9", 0, "127.0.0.1"),  # no proxies trusted: the header is the visitor's own word
    ("203.0.113.9", 1, "203.0.113.9"),
    ("198.51.100.1, 203.0.113.9", 1, "203.0.113.9"),  # the left one was forged by the visitor
    ("203.0.113.9, 10.0.0.7", 2, "203.0.113.9"),  # a CDN in front of the load balancer
    ("203.0.113.9", 2, "127.0.0.1"),  # fewer entries than proxies: not written by ours
])
def test_the_visitors_address_behind_proxies(rf, settings, forwarded, proxies, seen):
    from shop.accounts import client_ip

    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.post("/accounts/login/", HTTP_X_FORWARDED_FOR=forwarded) if forwarded else rf.post("/")
    assert client_ip(request) == seen


# The API's token endpoint ---------------------------------------------------------------------

TOKEN = "/api/v1/auth/token/"


def token_post(client, user, password, **extra):
    return client.post(TOKEN, {"username": user.username, "password": password}, format="json", **extra)


def test_the_token_endpoint_locks_a_name_out_in_the_error_shape(db):
    client, alice = APIClient(), staff("alice")
    answers = [token_post(client, alice, WRONG) for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert [answer.status_code for answer in answers] == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    response = token_post(client, alice, DEMO_PASSWORD)
    assert response.status_code == 429
    assert error_of(response)["code"] == "throttled"


def test_the_token_endpoint_lockout_is_in_the_callers_language(db):
    client, alice = APIClient(), staff("alice")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = token_post(client, alice, WRONG, HTTP_ACCEPT_LANGUAGE="en")
    assert error_of(response)["message"].startswith("Too many sign-in attempts")


def test_the_token_endpoint_still_serves_another_name(db):
    client, alice, bob = APIClient(), staff("alice"), staff("bob")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        token_post(client, alice, WRONG)
    assert token_post(client, bob, DEMO_PASSWORD).status_code == 200


def test_the_token_endpoint_serves_the_name_again_after_the_cool_off(db, time_machine):
    client, alice = APIClient(), staff("alice")
    time_machine.move_to(timezone.now(), tick=False)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        token_post(client, alice, WRONG)
    time_machine.shift(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
    assert token_post(client, alice, DEMO_PASSWORD).status_code == 200


def test_registering_still_signs_the_new_buyer_in(client, db):
    # Oscar's registration calls authenticate() without the request (shop.accounts.SignInThrottle).
    response = client.post("/accounts/register/", {
        "email": "newbuyer@wumeng.example", "password1": "Kx9!mountain-tea", "password2": "Kx9!mountain-tea",
    })
    assert signed_in(client, response)


def test_an_empty_setting_means_the_default(monkeypatch):
    from shop.settings.base import count

    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "")
    assert count("TRUSTED_PROXY_COUNT", default=0, least=0) == 0


def test_a_negative_proxy_count_is_refused(monkeypatch):
    from shop.settings.base import count

    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "-1")
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXY_COUNT"):
        count("TRUSTED_PROXY_COUNT", default=0, least=0)
