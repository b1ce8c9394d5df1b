"""Probes for the load balancer and the orchestrator.

`/healthz`: the process answers (liveness) — it touches nothing else, so a database outage never
gets healthy app servers restarted. `/readyz`: the database, the cache and the Celery broker are
reachable (readiness) — a server that cannot reach them is taken out of rotation until it can.

Both sit outside the language prefixes and `ATOMIC_REQUESTS`, read no session and need no token.
Bodies name components and their state only: never an error text, which could carry a host or a
password from a URL.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe
from kombu import Connection

logger = logging.getLogger(__name__)

# Seconds each check may take. The checks run side by side, so a probe answers within about this
# long even when a component drops packets instead of refusing them.
CHECK_TIMEOUT = 2.0

OK = "ok"
INLINE = "inline"
UNAVAILABLE = "unavailable"
TIMEOUT = "timeout"


@require_safe
@transaction.non_atomic_requests
def healthz(request: HttpRequest) -> JsonResponse:
    return _no_store(JsonResponse({"status": OK}))


@require_safe
@transaction.non_atomic_requests  # else the request's transaction would need the database first
def readyz(request: HttpRequest) -> JsonResponse:
    checks = readiness_checks()
    failing = sorted(name for name, state in checks.items() if state not in (OK, INLINE))
    if failing:
        body = {"status": UNAVAILABLE, "failing": failing, "checks": checks}
        return _no_store(JsonResponse(body, status=503))
    return _no_store(JsonResponse({"status": OK, "checks": checks}))


def readiness_checks() -> dict[str, str]:
    """Each component's state: ok, inline (no broker: tasks run in the web process), unavailable
    or timeout."""
    # Resolved here, in the request's thread: Django keeps caches per thread, and a backend made
    # in a short-lived thread would open (and leak) a connection pool of its own on every probe.
    cache = caches["default"]
    checks: dict[str, Callable[[], str]] = {
        "database": database_check,
        "cache": lambda: cache_check(cache=cache),
        "broker": broker_check,
    }
    running = {name: _Check(name=name, check=check) for name, check in checks.items()}
    for check in running.values():
        check.start()
    deadline = time.monotonic() + CHECK_TIMEOUT
    return {name: check.state_by(deadline) for name, check in running.items()}


def database_check() -> str:
    # A connection of its own, opened and closed here: the thread's connections are never
    # closed by a request cycle, and the request's own must not be shared with a thread it
    # may abandon.
    connection = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()
    return OK


def cache_check(*, cache) -> str:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    found = cache.get(key)
    cache.delete(key)
    return OK if found == "1" else UNAVAILABLE


def broker_check() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return INLINE
    # Read from settings at each probe, not from the Celery app (configured once): what the
    # workers are told to use now is what must be reachable.
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=CHECK_TIMEOUT) as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=CHECK_TIMEOUT)
    return OK


class _Check(threading.Thread):
    """One check in a daemon thread: a check stuck on a dead host is abandoned, not waited for,
    and never holds up a worker's exit."""

    def __init__(self, *, name: str, check: Callable[[], str]):
        super().__init__(name=f"readyz-{name}", daemon=True)
        self.component = name
        self.check = check
        self.state = TIMEOUT

    def run(self) -> None:
        try:
            self.state = self.check()
        except Exception:
            # The log is private to operators; the probe's body stays a bare state.
            logger.warning("Readiness: %s unavailable.", self.component, exc_info=True)
            self.state = UNAVAILABLE

    def state_by(self, deadline: float) -> str:
        self.join(max(0.0, deadline - time.monotonic()))
        if self.is_alive():
            logger.warning("Readiness: %s did not answer within %s s.", self.component, CHECK_TIMEOUT)
            return TIMEOUT
        return self.state


def _no_store(response: JsonResponse) -> JsonResponse:
    # A cached "ok" from a proxy would hide an outage.
    response["Cache-Control"] = "no-store"
    return response
