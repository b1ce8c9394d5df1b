"""The production settings refuse to start without their secrets, and pass Django's deploy check.

Each test loads `shop.settings.production` in a fresh interpreter with an environment it
controls: the settings are read once per process, and importing them here would change the
test settings' own dictionaries.
"""

import json
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from csp.constants import NONCE
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

PRODUCTION = "shop.settings.production"
# Everything production reads as a secret or a switch; unset ones are passed empty, so that a
# developer's .env file (read by base.py) cannot fill them in behind the test's back.
CONTROLLED = (
    "SECRET_KEY", "DATABASE_URL", "AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY", "CSP_MEDIA_ORIGIN", "STRIPE_PUBLISHABLE_KEY", "STRIPE_JS_URL", "DEBUG",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "REPORTS_DATABASE_URL", "EMAIL_URL", "EMAIL_BACKEND",
)
# With a leading "$", as a generated key has one time in fifty: production reads it as written.
SECRET_KEY = "$" + secrets.token_urlsafe(50)
COMPLETE = {
    "SECRET_KEY": SECRET_KEY,
    "DATABASE_URL": "postgres://wumeng@db.internal:5432/wumeng",
    "AWS_STORAGE_BUCKET_NAME": "wumeng-media",
    "EMAIL_URL": "smtp+tls://wumeng:mail-password@smtp.example.com:587",
}


def _run(args, **environment):
    """Run `python *args` under the production settings with `environment` (unset ones empty)."""
    # pytest-django allows async-unsafe calls in its own process; a deployment must not.
    leave_out = {*CONTROLLED, "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    outside = {k: v for k, v in os.environ.items() if k not in leave_out}
    controlled = dict.fromkeys(CONTROLLED, "") | {k: v for k, v in environment.items() if v is not None}
    return subprocess.run(
        [sys.executable, *args], env={**outside, **controlled, "DJANGO_SETTINGS_MODULE": PRODUCTION},
        capture_output=True, text=True, cwd=settings.BASE_DIR, timeout=300,
    )


def _start(**changes):
    return _run(["-c", "import django; django.setup()"], **(COMPLETE | changes))


def _refused(result, message):
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_it_starts_with_every_secret_set():
    result = _start()
    assert result.returncode == 0, result.stderr


def test_it_refuses_to_start_without_secret_key():
    _refused(_start(SECRET_KEY=None), "SECRET_KEY must be set")


def test_it_refuses_the_public_development_key():
    _refused(_start(SECRET_KEY="dev-only-insecure-key-wumeng-market"), "SECRET_KEY is a public development key")


def test_it_refuses_a_key_django_calls_insecure():
    _refused(_start(SECRET_KEY="django-insecure-" + SECRET_KEY), "SECRET_KEY is a public development key")


def test_it_refuses_a_short_secret_key():
    _refused(_start(SECRET_KEY=SECRET_KEY[:49]), "SECRET_KEY must be at least 50 characters")


def test_it_refuses_a_secret_key_of_few_different_characters():
    _refused(_start(SECRET_KEY="abcd" * 20), "at least 5 different characters")


def test_it_refuses_a_long_but_predictable_secret_key():
    # Django's own check lets this through: 50 characters, 5 different ones.
    _refused(_start(SECRET_KEY="abcde" * 10), "SECRET_KEY is too predictable")


def test_it_refuses_to_start_without_database_url():
    _refused(_start(DATABASE_URL=None), "DATABASE_URL must be set")


def test_it_refuses_a_sqlite_database():
    _refused(_start(DATABASE_URL="sqlite:////var/lib/wumeng/db.sqlite3"), "DATABASE_URL must point to PostgreSQL")


def test_it_refuses_a_reports_replica_that_is_not_postgresql():
    _refused(_start(REPORTS_DATABASE_URL="sqlite:////var/lib/wumeng/replica.sqlite3"),
             "REPORTS_DATABASE_URL must point to a PostgreSQL replica")


def test_reports_read_from_the_replica_when_one_is_named():
    found = _production_settings(
        "DATABASES", "REPORTS_FROM_REPLICA", REPORTS_DATABASE_URL="postgres://reader@replica.internal:5432/wumeng",
    )
    assert found["REPORTS_FROM_REPLICA"] is True
    assert found["DATABASES"]["reports"]["HOST"] == "replica.internal"
    assert found["DATABASES"]["reports"]["CONN_MAX_AGE"] == found["DATABASES"]["default"]["CONN_MAX_AGE"] == 60


def test_without_a_replica_reports_read_the_primary():
    found = _production_settings("DATABASES", "REPORTS_FROM_REPLICA")
    assert found["REPORTS_FROM_REPLICA"] is False
    assert "reports" not in found["DATABASES"]


def test_it_refuses_to_start_without_a_way_to_send_email():
    _refused(_start(EMAIL_URL=None), "EMAIL_URL must be set")


def test_email_goes_to_the_smtp_server_of_email_url():
    found = _production_settings("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS", "EMAIL_HOST_PASSWORD")
    assert found == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "smtp.example.com",
        "EMAIL_PORT": 587, "EMAIL_USE_TLS": True, "EMAIL_HOST_PASSWORD": "mail-password",
    }


def test_it_refuses_to_start_without_a_media_bucket():
    _refused(_start(AWS_STORAGE_BUCKET_NAME=None), "AWS_STORAGE_BUCKET_NAME must be set")


def test_it_refuses_half_a_pair_of_storage_keys():
    _refused(_start(AWS_ACCESS_KEY_ID="AKIAEXAMPLE"), "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together")


def _production_settings(*names, **environment) -> dict:
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {list(names)!r}}}, default=str))"
    )
    result = _run(["-c", script], **(COMPLETE | environment))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_it_keeps_media_on_s3_and_serves_https_only():
    found = _production_settings(
        "STORAGES", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
        "X_FRAME_OPTIONS",
    )
    assert found["STORAGES"]["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert found["SECURE_SSL_REDIRECT"] is True
    assert found["SECURE_HSTS_SECONDS"] == 31536000
    assert found["SESSION_COOKIE_SECURE"] is found["CSRF_COOKIE_SECURE"] is True
    assert found["X_FRAME_OPTIONS"] == "DENY"


def test_it_passes_the_deploy_check_without_a_warning():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **COMPLETE)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_load_balancer_probes_are_not_redirected_to_https():
    from django.middleware.security import SecurityMiddleware
    from django.test import RequestFactory

    exempt = _production_settings("SECURE_REDIRECT_EXEMPT")["SECURE_REDIRECT_EXEMPT"]
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=exempt):
        middleware = SecurityMiddleware(lambda request: None)
        assert middleware.process_request(RequestFactory().get("/healthz")) is None
        assert middleware.process_request(RequestFactory().get("/readyz/")) is None
        assert middleware.process_request(RequestFactory().get("/")).status_code == 301


def test_wsgi_loads_the_production_settings():
    result = _run(["-c", "import shop.wsgi; from django.conf import settings; print(settings.SETTINGS_MODULE)"],
                  **COMPLETE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == PRODUCTION


# Content Security Policy: the production policy and middleware, applied to the test settings.

def test_stripe_js_is_allowed_only_when_stripe_is_on():
    without = _production_settings("CONTENT_SECURITY_POLICY")["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    with_stripe = _production_settings("CONTENT_SECURITY_POLICY", STRIPE_PUBLISHABLE_KEY="pk_live_x")[
        "CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert "js.stripe.com" not in " ".join(without["script-src"] + without["frame-src"])
    assert "https://js.stripe.com" in with_stripe["script-src"]
    assert "https://js.stripe.com" in with_stripe["frame-src"]


def test_media_images_are_allowed_from_the_bucket():
    directives = _production_settings(
        "CONTENT_SECURITY_POLICY", AWS_S3_ENDPOINT_URL="https://oss-cn-hangzhou.aliyuncs.com",
    )["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert "https://oss-cn-hangzhou.aliyuncs.com" in directives["img-src"]


def production_csp_settings() -> dict:
    """The production policies, their middleware and what they ask of Wagtail: to apply to the
    test settings (override_settings)."""
    found = _production_settings(
        "CONTENT_SECURITY_POLICY", "STAFF_CONTENT_SECURITY_POLICY", "MIDDLEWARE", "WAGTAIL_GRAVATAR_PROVIDER_URL",
        "WAGTAIL_ENABLE_UPDATE_CHECK",
    )
    # JSON carried django-csp's nonce marker as its name: put the marker back.
    for policy in ("CONTENT_SECURITY_POLICY", "STAFF_CONTENT_SECURITY_POLICY"):
        for directive, sources in found[policy]["DIRECTIVES"].items():
            found[policy]["DIRECTIVES"][directive] = [NONCE if source == repr(NONCE) else source for source in sources]
    return found


@pytest.fixture(scope="module")
def production_csp():
    return production_csp_settings()


class InlineCode(HTMLParser):
    """What a page runs or styles inline: blocked by a policy without 'unsafe-inline'."""

    DATA_TYPES = ("application/json", "application/ld+json", "text/template")

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes and "nonce" not in attributes \
                and attributes.get("type") not in self.DATA_TYPES:
            self.found.append(self.get_starttag_text())
        if tag == "style" and "nonce" not in attributes:
            self.found.append(self.get_starttag_text())
        for name, value in attrs:
            if name.startswith("on") or name == "style" or (value or "").strip().startswith("javascript:"):
                self.found.append(self.get_starttag_text())


def _inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


PAGES = {
    "home": lambda chicken: "/",
    "catalogue": lambda chicken: reverse("catalogue:index"),
    "product": lambda chicken: chicken.get_absolute_url(),
    "station login": lambda chicken: reverse("station:login"),
    "impact login": lambda chicken: reverse("impact:login"),
    "basket": lambda chicken: reverse("basket:summary"),
}


@pytest.mark.parametrize("page", PAGES)
def test_main_pages_run_no_inline_code_under_the_production_policy(client, production_csp, home_page, chicken,
                                                                   page):
    with override_settings(**production_csp):
        response = client.get(PAGES[page](chicken))
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert _inline_code(response.content.decode()) == []


def test_an_inline_script_runs_with_the_pages_nonce(rf, production_csp):
    from django.http import HttpResponse

    def page(request):
        page.nonce = str(request.csp_nonce)
        return HttpResponse(f'<script nonce="{request.csp_nonce}">go()</script>')

    response = _through_the_middleware(rf, production_csp, "/basket/", page)
    assert f"'nonce-{page.nonce}'" in response["Content-Security-Policy"]


# The staff areas: a policy of their own (shop/csp.py), inline code allowed, nothing from outside.

MEDIA_ORIGIN = "https://wumeng-media.s3.amazonaws.com"  # the bucket of COMPLETE, with no endpoint
STAFF_PAGES = {
    "Wagtail's admin": lambda home: "/cms/",
    "Wagtail's page editor": lambda home: f"/cms/pages/{home.pk}/edit/",
    "Oscar's dashboard": lambda home: "/dashboard/",
    "Oscar's dashboard in English": lambda home: "/en/dashboard/",
    "a dashboard list": lambda home: "/dashboard/catalogue/",
    "our fee rules": lambda home: reverse("impact-dashboard:fee-rule-list"),
    "the API's docs": lambda home: reverse("api-docs"),
}
STOREFRONT_PAGES = {
    "home": lambda home: "/",
    "home in English": lambda home: "/en/",
    "catalogue": lambda home: reverse("catalogue:index"),
    "basket": lambda home: reverse("basket:summary"),
    "impact login": lambda home: reverse("impact:login"),
}
# Words a policy may use that name no origin.
KEYWORDS = {"'self'", "'none'", "'unsafe-inline'", "data:"}


def _policy(header: str) -> dict[str, list[str]]:
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


@pytest.fixture
def staff_client(client, home_page):
    from shop.factories import UserFactory

    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client


def _header(client, production_csp, path: str) -> str:
    with override_settings(**production_csp):
        response = client.get(path)
    assert response.status_code == 200
    return response["Content-Security-Policy"]


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_staff_pages_get_the_staff_policy(staff_client, production_csp, home_page, page):
    policy = _policy(_header(staff_client, production_csp, STAFF_PAGES[page](home_page)))
    assert policy == {
        "default-src": ["'self'"], "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"], "img-src": ["'self'", "data:", MEDIA_ORIGIN],
        "connect-src": ["'self'"], "frame-src": ["'self'"], "object-src": ["'none'"], "base-uri": ["'self'"],
        "form-action": ["'self'"], "frame-ancestors": ["'none'"],
    }


@pytest.mark.parametrize("page", STOREFRONT_PAGES)
def test_the_storefront_keeps_the_strict_policy(staff_client, production_csp, home_page, page):
    # Signed in as staff, too: the policy follows the address, not the visitor.
    policy = _policy(_header(staff_client, production_csp, STOREFRONT_PAGES[page](home_page)))
    # The page's nonce is named only when the page used it.
    assert [s for s in policy["script-src"] if not s.startswith("'nonce-")] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert "'unsafe-inline'" not in " ".join(sum(policy.values(), []))
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("page", [*STAFF_PAGES, *STOREFRONT_PAGES])
def test_no_page_allows_another_origin(staff_client, production_csp, home_page, page):
    path = {**STAFF_PAGES, **STOREFRONT_PAGES}[page](home_page)
    sources = sum(_policy(_header(staff_client, production_csp, path)).values(), [])
    assert [s for s in sources if s not in KEYWORDS | {MEDIA_ORIGIN} and not s.startswith("'nonce-")] == []


def _through_the_middleware(rf, production_csp, path: str, page=None, **request_attributes):
    """The response of `page` (an empty page by default) at `path`, through StaffAreaCSPMiddleware."""
    from django.http import HttpResponse

    from shop.csp import StaffAreaCSPMiddleware

    with override_settings(**production_csp):
        request = rf.get(path)
        for name, value in request_attributes.items():
            setattr(request, name, value)
        return StaffAreaCSPMiddleware(page or (lambda request: HttpResponse()))(request)


def test_a_page_wagtail_lets_its_editor_frame_may_be_framed_by_the_site_only(rf, production_csp):
    from django.http import HttpResponse

    # Wagtail marks its preview views SAMEORIGIN; frame-ancestors would override that.
    response = _through_the_middleware(rf, production_csp, "/cms/pages/3/edit/preview/",
                                       lambda request: HttpResponse(headers={"X-Frame-Options": "SAMEORIGIN"}))
    assert _policy(response["Content-Security-Policy"])["frame-ancestors"] == ["'self'"]


def test_other_staff_pages_are_never_framed(rf, production_csp):
    response = _through_the_middleware(rf, production_csp, "/cms/pages/3/edit/")
    assert _policy(response["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]


def test_wagtails_made_up_preview_request_gets_no_policy_of_its_own(rf, production_csp):
    """Wagtail renders a preview by running a request for the page's address ("/") through the
    middleware; the storefront policy it would get would stay on the editor's real response."""
    response = _through_the_middleware(rf, production_csp, "/", is_dummy=True)
    assert "Content-Security-Policy" not in response


def test_a_staff_page_gets_no_nonce_that_would_cancel_unsafe_inline(rf, production_csp):
    from django.http import HttpResponse

    def page(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}">go()</script>')

    response = _through_the_middleware(rf, production_csp, "/dashboard/", page)
    assert "'nonce-" not in response["Content-Security-Policy"]
