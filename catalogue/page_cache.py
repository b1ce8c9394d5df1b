"""Whole catalogue listings for anonymous visitors, served from the shared cache.

A visitor who is not signed in, has no basket and no messages sees the same listing as every
other such visitor: the header's "Sign in" link, an empty basket, no form with a CSRF token (the
search form is a GET) and no inline script (so no CSP nonce). That page is kept whole per URL
(host, path, query) and language, beside the catalogue version it was built from, and handed to
the next such visitor without running the view: no SQL, one read of the cache.

Why it is safe:
  * Who gets it: only a GET from a visitor whose cookies are all in STATELESS_COOKIES (neither
    changes what the page shows: the language is in the URL, and a kept page holds no CSRF
    token). A session cookie (signed in, or anything kept in a session: messages, an anonymous
    checkout), a basket cookie, a messages cookie or any cookie we do not know means the live
    page. The same rule decides who may store a page, so a signed-in buyer or a visitor with a
    basket never leaves their page behind for others.
  * What is kept: only a 200 that leaves no state behind and holds no per-request secret. The
    view runs inside the middleware, so what they add per request (the CSP header with its nonce,
    X-Frame-Options, Content-Language, cookies) is added again to every response, cached or not,
    and is never kept. What the page itself makes them add is checked before keeping it: a page
    that used the CSRF token (its cookie then goes out with it), used the CSP nonce (a kept nonce
    would be everyone's, and would not match the fresh header), wrote the session, queued a
    message, set a cookie or asked for private/no-store is served live and not kept. A template
    change that puts a token or a nonce on a listing thus turns the cache off for that page
    rather than leaking either.
  * How long: a kept page is served only while the catalogue version it was built from is
    current (catalogue/caching.py): a change to a product, price, stock record, image or category
    retires every kept page at once (in every process with Redis). The version is read before
    the page is built, so a page built while the catalogue changed is already out of date.
    PAGE_TTL bounds what a process-local cache (the embedded default, several processes) shows.
  * Vary: Cookie is on every such response, cached or not: a shared HTTP cache in front of the
    site never hands the anonymous page to a signed-in buyer either. The kept copy itself is
    looked up without the cookies (the rule above stands in for them); by them, every CSRF cookie
    would get a copy of its own.

Not Django's `cache_page`: its key cannot follow the catalogue version (with the version in a
key prefix a hit takes three reads of Redis: the version, the Vary list, the page; here the
version and the page come in one), it caches for signed-in buyers too (per Cookie header, so a
buyer's basket count would stay stale on their own copy), and it sets max-age, so a browser
would show a buyer who has just signed in or filled a basket the anonymous page from its own
cache. Its rules for what not to store (cookies set, private/no-store) are kept below.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from catalogue.caching import FRAGMENT_TTL, catalogue_version_and

PAGE_TTL = FRAGMENT_TTL
# Cookies that change nothing on a page this module keeps. Any other cookie means the live page.
STATELESS_COOKIES = frozenset({settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME})
# The listings read only the page number; any other query is served live rather than given an
# entry of its own. Page numbers are kept as numbers (page=01 is page=1) and only up to
# MAX_CACHED_PAGE (24,000 products), so no visitor can fill the cache with made-up pages.
QUERY_PARAMETERS = frozenset({"page"})
MAX_CACHED_PAGE = 999
UNCACHEABLE_CONTROLS = ("private", "no-cache", "no-store")


def cache_for_stateless_visitors(view):
    """Decorate a view whose page depends only on its URL, its language and the catalogue."""

    @wraps(view)
    def serve(request, *args, **kwargs):
        if not visitor_is_stateless(request):
            return view(request, *args, **kwargs)
        key = page_key(request)
        version, kept = catalogue_version_and(key)
        if kept is not None and kept[0] == version:
            return vary_on_cookie(kept[1])
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.add_post_render_callback(lambda rendered: keep(request, rendered, key, version))
        else:
            keep(request, response, key, version)
        return response

    return serve


def visitor_is_stateless(request) -> bool:
    """A GET from an anonymous visitor with no basket, no messages and no session, told from the
    cookies alone (loading the session or the user would cost what the cache saves)."""
    return (
        request.method == "GET"
        and "Authorization" not in request.headers
        and STATELESS_COOKIES.issuperset(request.COOKIES)
        and QUERY_PARAMETERS.issuperset(request.GET)
        and cached_page_number(request) is not None
    )


def cached_page_number(request) -> int | None:
    """The listing page asked for, if it is one whose page may be kept (no page: the first)."""
    values = request.GET.getlist("page") or ["1"]
    if len(values) != 1 or not (values[0].isascii() and values[0].isdigit()):
        return None
    number = int(values[0])
    return number if 1 <= number <= MAX_CACHED_PAGE else None


def page_key(request) -> str:
    page = f"{request.get_host()}{request.path}?page={cached_page_number(request)}"
    url = hashlib.md5(page.encode(), usedforsecurity=False).hexdigest()
    return f"catalogue:page:{get_language()}:{url}"


def page_left_no_state(request, response) -> bool:
    """Whether the rendered `response` is the same for every stateless visitor: it set no cookie
    and makes no middleware set one, and it holds no per-request secret."""
    cache_control = response.get("Cache-Control", "").lower()
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not any(directive in cache_control for directive in UNCACHEABLE_CONTROLS)
        # get_token() was called: the page holds this visitor's token.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        # django-csp makes the nonce on first use; unused, it stays lazy and false.
        and not getattr(request, "csp_nonce", None)
        and not (session is not None and session.modified)
        and not len(messages.get_messages(request))
    )


def keep(request, response, key: str, version: int):
    """Keep the page, with the version it was built from, if every stateless visitor may have it."""
    if page_left_no_state(request, response):
        cache.set(key, (version, response), PAGE_TTL)
    return vary_on_cookie(response)


def vary_on_cookie(response):
    patch_vary_headers(response, ("Cookie",))
    return response
