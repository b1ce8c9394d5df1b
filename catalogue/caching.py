"""Rendered storefront fragments (and whole listings, page_cache.py), cached for a
short while and dropped at once when the catalogue changes (in every process when
the cache is shared, i.e. Redis).

Listings may show stock up to FRAGMENT_TTL seconds old; the basket and checkout
always read the live stock, so nobody can buy what is not there."""

import hashlib
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

T = TypeVar("T")
VERSION_KEY = "catalogue:version"
FRAGMENT_TTL = 60


def catalogue_version() -> int:
    # A version key lost (evicted, Redis restarted) starts again from the clock, never from a
    # number that earlier fragments and pages may still be kept under.
    return cache.get_or_set(VERSION_KEY, time.time_ns, timeout=None)


def catalogue_version_and(key: str) -> tuple[int, object | None]:
    """The catalogue version and what the cache holds under `key`, in one read (one round trip
    to Redis rather than two): for values that keep their version beside them."""
    found = cache.get_many([VERSION_KEY, key])
    return found.get(VERSION_KEY) or catalogue_version(), found.get(key)


def catalogue_changed(**_signal_kwargs) -> None:
    """Drop every cached fragment and page: now, and again once the change is committed.

    Receivers run inside the writing transaction. A page built between the first bump and the
    commit reads the old rows under the new version, and would be kept as current; the second
    bump leaves it behind. (Outside a transaction both bumps happen at once.)"""
    _bump_version()
    transaction.on_commit(_bump_version, robust=True)


def _bump_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not in the cache (evicted, or no page read it yet)
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def cached_fragment(name: str, *parts, build: Callable[[], T]) -> T:
    """`build()` once per catalogue version, language and `parts` (for FRAGMENT_TTL seconds)."""
    digest = hashlib.sha1(repr(parts).encode()).hexdigest()
    key = f"catalogue:{name}:{catalogue_version()}:{get_language()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, FRAGMENT_TTL)
    return value
