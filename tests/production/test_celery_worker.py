"""Celery as production runs it: a real worker (`celery -A shop worker`, production settings)
consuming from Redis settles a delivered shipment in the test database, and a real beat
(`celery -A shop beat`) loads the schedule."""

import subprocess
from datetime import timedelta

import pytest
import redis
import time_machine
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone

from impact.models import LedgerEntry
from logistics.states import State
from tests.production.outside import (
    BROKER_REDIS_URL,
    RUN,
    STARTUP_SECONDS,
    database_url,
    production_environment,
    redis_reachable,
    run_keys_delete,
    stop,
    tool,
    wait_until,
)
from tests.shipping import moved_to, paid_shipment

pytestmark = pytest.mark.production

SETTLE = "shop.order.settle_due_shipments"
# A bound for a busy machine (a worker loads Django first), not a timing.
SETTLED_WITHIN_SECONDS = 60


@pytest.fixture
def broker():
    """The tests' own Redis database as the broker; the run's own queue (RUN) is removed after."""
    if not redis_reachable():
        pytest.skip("no Redis at 127.0.0.1:6379")
    yield BROKER_REDIS_URL
    client = redis.Redis.from_url(BROKER_REDIS_URL)
    run_keys_delete(client)
    # The farmers' texts the settlement queued, on the default queue no test's worker consumes.
    client.delete("celery")


def celery(*args, log, environment) -> subprocess.Popen:
    """`celery -A shop *args` started from the project's folder, its output into `log`."""
    with log.open("w") as out:
        return subprocess.Popen([str(tool("celery")), "-A", "shop", *args], env=environment,
                                stdout=out, stderr=subprocess.STDOUT, cwd=settings.BASE_DIR)


@pytest.fixture
def worker(broker, tmp_path):
    """A worker with the production settings on the test database: its log."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker runs production's settings, which take PostgreSQL only; "
                    "run with DATABASE_URL=postgres://... (CI does)")
    # Without DJANGO_SETTINGS_MODULE: shop/celery.py picks production's itself.
    environment = production_environment(DATABASE_URL=database_url(connection.settings_dict), REDIS_URL=broker)
    del environment["DJANGO_SETTINGS_MODULE"]
    log = tmp_path / "worker.log"
    process = celery("worker", "--pool", "solo", "--without-gossip", "--without-mingle", "--without-heartbeat",
                     "--loglevel", "INFO", "--queues", RUN, "--hostname", f"{RUN}@%h", log=log, environment=environment)
    yield log
    stop(process)


@pytest.fixture
def delivered_a_week_ago(people):
    """Goods delivered eight days ago: past the return window of any goods."""
    with time_machine.travel(timezone.now() - timedelta(days=8), tick=True):
        return moved_to(paid_shipment(storage="ambient", shelf_life_days=365), State.DELIVERED)


def settled_entries(shipment):
    return LedgerEntry.objects.filter(order_id=shipment.order_id, kind="sale_settled")


@pytest.mark.django_db(transaction=True)
def test_a_worker_settles_a_delivered_shipment_from_the_queue(worker, broker, delivered_a_week_ago):
    shipment = delivered_a_week_ago
    assert not settled_entries(shipment).exists()

    # Sent as the web process and beat send it: by name, through the broker.
    Celery("sender", broker=broker).send_task(SETTLE, queue=RUN)

    assert wait_until(settled_entries(shipment).exists, seconds=SETTLED_WITHIN_SECONDS, step=0.5), \
        worker.read_text()[-3000:]
    credited = LedgerEntry.objects.filter(order_id=shipment.order_id, kind="sale_pending")
    assert set(settled_entries(shipment).values_list("household_id", flat=True)) == set(
        credited.values_list("household_id", flat=True))
    shipment.refresh_from_db()
    assert shipment.settled_at is not None
    assert f"Task {SETTLE}" in worker.read_text()


def test_beat_loads_the_schedule(broker, tmp_path):
    environment = production_environment(REDIS_URL=broker)
    log = tmp_path / "beat.log"
    process = celery("beat", "--max-interval", "1", "--schedule", str(tmp_path / "beat-schedule"),
                     "--loglevel", "DEBUG", log=log, environment=environment)
    try:
        started = wait_until(lambda: "Current schedule" in log.read_text() or process.poll() is not None,
                             seconds=STARTUP_SECONDS)
        assert started and process.poll() is None, log.read_text()[-3000:]
    finally:
        stop(process)
    output = log.read_text()
    assert f"settle-due-shipments {SETTLE}()" in output
    assert "Traceback" not in output
