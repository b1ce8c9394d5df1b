"""Row ids from the outside world (addresses, forms, JSON bodies)."""

from collections.abc import Iterable

# The largest id an auto field holds (PostgreSQL bigint, SQLite INTEGER). Django answers a plain
# `pk=` lookup beyond it with "not found", but `pk__in=[...]` sends it on, and SQLite raises.
MAX_ID = 2**63 - 1


def storable_ids(ids: Iterable[int]) -> set[int]:
    """The ids among `ids` that a row could have; the others cannot exist."""
    return {pk for pk in ids if 0 < pk <= MAX_ID}
