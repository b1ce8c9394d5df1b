"""Officials' reports read from a PostgreSQL replica when one is configured (REPORTS_DATABASE_URL).

A city's report or export sums tens of thousands of households; on the primary it competes with
buyers' checkouts for the same CPU and locks. Reports read only running totals that may be a few
seconds behind, so they are the reads worth sending to a streaming replica. Everything else,
including every write and the sign-in that precedes a report, stays on the primary.

A view opts in by running its work inside `reading_reports()`; the router below sends that
work's reads to the replica. Not by model: the same tables (households, running totals) are also
read by checkout's fair allocation, which must see the primary's latest rows.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings

PRIMARY = "default"
REPLICA = "reports"  # the alias of REPORTS_DATABASE_URL in DATABASES
# Who may read what is always read on the primary, even inside a report: an official whose
# region was just narrowed or withdrawn must not read the old one for as long as the replica lags.
ACCESS_MODELS = frozenset({"shop.officialscope", "logistics.stationmembership", "shop.user"})
_reading_reports: ContextVar[bool] = ContextVar("reading_reports", default=False)


def reports_alias() -> str:
    """Where reports read: the replica when REPORTS_FROM_REPLICA is on, else the primary."""
    return REPLICA if settings.REPORTS_FROM_REPLICA else PRIMARY


@contextmanager
def reading_reports() -> Iterator[None]:
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


def reads_reports(view: Callable) -> Callable:
    """Runs `view` (a function or a method) reading from the reports replica. Apply it inside the
    sign-in and permission checks, which must see the primary (a token issued a moment ago)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        with reading_reports():
            return view(*args, **kwargs)

    return wrapped


class ReportsReplicaRouter:
    """Reads inside `reading_reports()` go to the replica; everything else to the primary."""

    def db_for_read(self, model, **hints) -> str | None:
        if not _reading_reports.get() or model._meta.label_lower in ACCESS_MODELS:
            return None
        return reports_alias()

    def db_for_write(self, model, **hints) -> str | None:
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # A row read from the replica is the primary's row: relations between them are fine.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, **hints) -> bool | None:
        # The replica copies the primary's schema by streaming; nothing migrates it directly.
        return False if db == REPLICA else None
