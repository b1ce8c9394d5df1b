"""Rendered storefront fragments, cached for a short while and dropped at once
when the catalogue changes (in every process when the cache is shared, i.e. Redis).

Listings may show stock up to FRAGMENT_TTL seconds old; the basket and checkout
always read the live stock, so nobody can buy what is not there."""

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.utils.translation import get_language

T = TypeVar("T")
VERSION_KEY = "catalogue:version"
FRAGMENT_TTL = 60


def catalogue_version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, timeout=None)


def catalogue_changed(**_signal_kwargs) -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not in the cache (evicted or first change)
        cache.set(VERSION_KEY, 2, timeout=None)


def cached_fragment(name: str, *parts, build: Callable[[], T]) -> T:
    """`build()` once per catalogue version, language and `parts` (for FRAGMENT_TTL seconds)."""
    digest = hashlib.sha1(repr(parts).encode()).hexdigest()
    key = f"catalogue:{name}:{catalogue_version()}:{get_language()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, FRAGMENT_TTL)
    return value
