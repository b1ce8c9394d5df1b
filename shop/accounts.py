"""Signing in and out. Signing out of the storefront only by POST: Oscar's sign-out is a GET link,
so any page, image or prefetch that points at it could sign a buyer out (and drop the basket's
cookie). Sign-in throttling (django-axes, settings in base.py): whose attempts count together,
from which address, and the page a locked-out visitor gets."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.shortcuts import render
from django.template.response import TemplateResponse
from oscar.core.loading import get_class

OscarLogoutView = get_class("customer.views", "LogoutView")


class SignOutView(OscarLogoutView):
    """Oscar's sign-out (its redirect and cookies) on a POST, which carries the CSRF token; a GET
    shows a page with the button instead, and signs nobody out."""

    template_name = "oscar/customer/logout.html"

    def get(self, request, *args, **kwargs):
        return TemplateResponse(request, self.template_name)

    def post(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SignInThrottle(AxesStandaloneBackend):
    """Axes' backend (first in AUTHENTICATION_BACKENDS), letting through authenticate() calls that
    carry no request instead of failing them: Oscar's registration signs the new buyer in with
    the password just chosen and passes none, so axes' own would make every registration a 500.
    Nobody guesses a password there; every sign-in form passes its request (a test posts wrong
    passwords to each of them)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def lockout_username(request, credentials: dict | None) -> str | None:
    """The name attempts are counted under: as typed, less spaces and case, so "Clerk " and
    "clerk" share one count (the storefront's e-mail sign-in ignores case too)."""
    name = (credentials or {}).get("username") or ""
    return name.strip().casefold() or None


def client_ip(request) -> str | None:
    """The visitor's address. Each of our TRUSTED_PROXY_COUNT proxies appends the address it saw
    to X-Forwarded-For, so the visitor's is that many places from the right; anything further
    left came from the visitor and may be forged. With fewer entries than proxies the header was
    not written by ours: the connection's own address counts."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    """A page, not axes' bare text: the sign-in is paused, for how long, in the visitor's language.
    (The API's token endpoint answers in its own error shape: shop/api/auth.py.)"""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "locked_out.html", {"minutes": minutes}, status=429)
