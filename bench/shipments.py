"""`make bench` (part four): the stations' shipment work, counted and timed, on SQLite and, when
DATABASE_URL names a PostgreSQL database, on PostgreSQL too (one child process per database).

  * SQL queries of a station clerk's queue, GET /api/v1/shipments/ and the console's queue
    page, with 10 and with 200 paid shipments: at most 10, and the same for both lengths;
  * SQL queries of one move through the API, POST /api/v1/shipments/{id}/events/;
  * a morning's intake: 200 paid shipments of two lines each moved awaiting_intake → received
    (a weight and grade per line) → qc_passed → packed with `shipments_move`, in batches as the
    console's queue sends them, each stage timed with its SQL queries counted; then, as the
    baseline in the same process, 200 more moved one by one with `shipment_move`.

Each database is a throwaway one: Django's test database (`test_<name>` on PostgreSQL, a file
under var/ for SQLite), migrated, loaded with bulk copies of one order placed the real way,
ANALYZEd on PostgreSQL, and dropped at the end. The messages a move sends (texts to farmers,
e-mails to buyers) are queued to Celery's in-memory broker, not sent, as a broker would take
them in production: the figures are what the station waits for.
Prints a table; writes bench/results/shipments.json."""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUEUE_LENGTHS = (10, 200)
MORNING = int(os.environ.get("BENCH_MORNING_SHIPMENTS", "200"))
BATCH = int(os.environ.get("BENCH_BATCH", "50"))  # the console's queue shows 50 a page
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))  # medians: the machine is shared
STAGES = ("received", "qc_passed", "packed")
MAX_QUEUE_QUERIES = 10
TARGET_MORNING_SECONDS = 5
RESULTS = ROOT / "bench" / "results" / "shipments.json"
SQLITE_FILE = ROOT / "var" / "bench-shipments.sqlite3"


# --- the parent: one child per database, then the table ----------------------------------------


def main() -> None:
    (ROOT / "var").mkdir(exist_ok=True)
    databases = {"SQLite": f"sqlite:///{SQLITE_FILE}"}
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        databases["PostgreSQL"] = os.environ["DATABASE_URL"]
    else:
        print("shipments bench: SQLite only (set DATABASE_URL=postgres://... to measure PostgreSQL too)")
    figures = {}
    for name, url in databases.items():
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings",
                   # Queued to the in-memory broker, as to Redis in production: not run in the move.
                   "CELERY_TASK_ALWAYS_EAGER": "false", "CELERY_BROKER_URL": "memory://"}
            subprocess.run([sys.executable, __file__, "--child", out.name], env=env, check=True, cwd=ROOT)
            figures[name] = json.loads(Path(out.name).read_text())
    report(figures)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2, ensure_ascii=False))


def report(figures: dict) -> None:
    names = list(figures)
    print(f"\nshipments: SQL queries (at most {MAX_QUEUE_QUERIES}, the same for {' and '.join(map(str, QUEUE_LENGTHS))}"
          " shipments in the queue)")
    header = "".join(f"{name + ' ' + '/'.join(map(str, QUEUE_LENGTHS)):>22}" for name in names)
    print(f"{'':44}{header}")
    for key, label in (("api", "GET /api/v1/shipments/?limit=200"), ("page_collect", "queue page, to collect"),
                       ("page_received", "queue page, received")):
        cells = []
        for name in names:
            counts = figures[name]["queue"].get(key)
            if counts is None:
                cells.append(f"{'skipped':>22}")
                continue
            values = [counts[str(n)] for n in QUEUE_LENGTHS]
            ok = len(set(values)) == 1 and max(values) <= MAX_QUEUE_QUERIES
            cells.append(f"{' / '.join(map(str, values)) + (' ok' if ok else ' OVER'):>22}")
        print(f"{label:44}{''.join(cells)}")
    print(f"{'POST /api/v1/shipments/{id}/events/ (received)':44}"
          + "".join(f"{figures[name]['post_event_queries']:>22}" for name in names))

    for name in names:
        f = figures[name]
        batch, single = f["batch"], f["one_by_one"]
        print(f"\n{name}: morning intake of {f['shipments']} shipments × {f['lines_per_shipment']} lines,"
              f" batches of {f['batch_size']} vs one by one (median of {f['rounds']} rounds)")
        print(f"{'stage':12}{'batch s':>10}{'queries':>9}{'one-by-one s':>15}{'queries':>9}{'speed-up':>10}")
        for stage in STAGES:
            b, s = batch["stages"][stage], single["stages"][stage]
            print(f"{stage:12}{b['seconds']:10.2f}{b['queries']:9d}{s['seconds']:15.2f}{s['queries']:9d}"
                  f"{s['seconds'] / b['seconds']:9.1f}×")
        verdict = "ok" if batch["seconds"] < TARGET_MORNING_SECONDS else "OVER"
        print(f"{'total':12}{batch['seconds']:10.2f}{batch['queries']:9d}{single['seconds']:15.2f}"
              f"{single['queries']:9d}{single['seconds'] / batch['seconds']:9.1f}×"
              f"   (target < {TARGET_MORNING_SECONDS} s: {verdict})")


# --- a child: one database ----------------------------------------------------------------------


def child(out: Path) -> None:
    import logging
    import warnings

    import django

    # Not about shipments: haystack's simple backend and WhiteNoise's missing collected files.
    warnings.simplefilter("ignore", UserWarning)
    logging.getLogger("kombu.connection").setLevel(logging.ERROR)  # the in-memory broker has no host
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import override_settings

    if connection.vendor == "sqlite":
        from shop.settings import base

        # bench.settings names the database again and so drops the embedded default's SQLite
        # options (WAL, IMMEDIATE transactions): the site runs with them, so the bench does too.
        connection.settings_dict["OPTIONS"] = {**base.DATABASES["default"]["OPTIONS"]}
        connection.settings_dict["TEST"]["NAME"] = str(SQLITE_FILE)
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    # Static files by name: the bench counts queries and does not collect the static files the
    # production storage's manifest would name.
    plain_static = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    try:
        with override_settings(STORAGES=plain_static):
            out.write_text(json.dumps(measure()))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def measure() -> dict:
    from django.db import connection

    from logistics.models import Shipment

    people, templates = load()
    figures = {"database": connection.vendor, "shipments": MORNING, "batch_size": BATCH,
               "queue": queue_queries(people, templates["queue"])}
    figures["post_event_queries"] = post_event_queries(people, templates["queue"])

    template, by = templates["morning"], people["clerk"]
    warm_up = paid_shipments(template, 1, "warm")
    morning_by_batch(warm_up, lines_of(warm_up), by)  # the first moves create Oscar's shipping event types
    runs = {"batch": [], "one_by_one": []}
    for n in range(ROUNDS):
        batch_ids, single_ids = paid_shipments(template, MORNING, "batch"), paid_shipments(template, MORNING, "single")
        analyze()
        lines = lines_of(batch_ids + single_ids)
        figures["lines_per_shipment"] = len(lines[batch_ids[0]])
        # Each first in turn, so that neither always finds the other's writes to checkpoint or vacuum.
        if n % 2 == 0:
            runs["batch"].append(morning_by_batch(batch_ids, lines, by))
            runs["one_by_one"].append(morning_one_by_one(single_ids, lines, by))
        else:
            runs["one_by_one"].append(morning_one_by_one(single_ids, lines, by))
            runs["batch"].append(morning_by_batch(batch_ids, lines, by))
        moved = Shipment.objects.filter(pk__in=batch_ids + single_ids, status="packed").count()
        assert moved == 2 * MORNING, moved
    figures["rounds"] = ROUNDS
    figures["batch"], figures["one_by_one"] = median_run(runs["batch"]), median_run(runs["one_by_one"])
    return figures


def median_run(runs: list[dict]) -> dict:
    """Each stage's median time over the rounds (its queries are the same in every round)."""
    return totals({
        stage: {"seconds": statistics.median(run["stages"][stage]["seconds"] for run in runs),
                "queries": runs[0]["stages"][stage]["queries"]}
        for stage in STAGES
    })


def load() -> tuple[dict, dict]:
    """Two stations with a clerk, two households each with a product on offer, and at each a
    pending order of both products placed through the real checkout code (its one shipment
    is not paid: it stays out of the queue); the bench copies it."""
    from logistics.services import station_ensure, station_member_add
    from shop.factories import UserFactory
    from shop.models import Division
    from shop.services import divisions_load

    divisions_load()
    clerk = UserFactory(username="bench-clerk")
    templates = {}
    for key, code, township in (("queue", "BENCH-Q", "530623105"), ("morning", "BENCH-M", "530623101")):
        division = Division.objects.get(code=township)
        station = station_ensure(code=code, township=division, name=f"{division.name}电商服务站",
                                 address=division.name, phone="0870-0000000", cold_chain=True)
        station_member_add(station=station, user=clerk)
        templates[key] = template_order(division, key)
    return {"clerk": clerk}, templates


def template_order(township, key: str):
    from decimal import Decimal

    from oscar.apps.basket.models import Basket
    from oscar.test.factories import create_order

    from catalogue.factories import ProductFactory
    from sellers.factories import HouseholdFactory
    from sellers.partner.strategy import WumengStrategy
    from sellers.services import household_seller_ensure, stock_offer

    basket = Basket.objects.create()
    basket.strategy = WumengStrategy()
    for n in range(2):
        product = ProductFactory(title=f"乌骨鸡蛋 {key} {n}", title_en=f"Black-bone chicken eggs {key} {n}")
        household = HouseholdFactory(township=township, consent_to_sell=True)
        stock_offer(seller=household_seller_ensure(household=household), product=product,
                    price=Decimal("60.00"), stock=1_000_000)
        basket.add_product(product, quantity=1)
    return create_order(number=f"BENCH-{key}-template", basket=basket)


def row(obj, **changes):
    """A new, unsaved row with `obj`'s values (its primary key left out) and `changes`."""
    model = type(obj)
    values = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields if not f.primary_key}
    return model(**{**values, **changes})


def paid_shipments(template, count: int, tag: str) -> list[int]:
    """`count` paid orders like `template`, each with its shipment awaiting intake, in bulk."""
    from django.utils import timezone

    from logistics.models import Shipment, ShipmentLine, new_trace_code
    from logistics.states import State
    from shop.order.models import Line, Order
    from shop.order.statuses import OrderStatus

    now = timezone.now()
    start = Order.objects.filter(number__startswith=f"BENCH-{tag}-").count()
    orders = Order.objects.bulk_create(
        row(template, number=f"BENCH-{tag}-{start + n:05d}", status=OrderStatus.PAID, date_placed=now)
        for n in range(count)
    )
    template_lines = list(template.lines.order_by("id"))
    lines = Line.objects.bulk_create(
        row(line, order_id=order.pk, status=State.AWAITING_INTAKE) for order in orders for line in template_lines
    )
    template_shipment = template.shipments.get()
    shipments = Shipment.objects.bulk_create(
        row(template_shipment, order_id=order.pk, trace_code=new_trace_code(), paid_at=now) for order in orders
    )
    per_order = len(template_lines)
    ShipmentLine.objects.bulk_create(
        ShipmentLine(shipment_id=shipment.pk, order_line_id=line.pk)
        for i, shipment in enumerate(shipments)
        for line in lines[i * per_order:(i + 1) * per_order]
    )
    return [shipment.pk for shipment in shipments]


def analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def lines_of(shipment_ids: list[int]) -> dict[int, list[int]]:
    from logistics.models import ShipmentLine

    lines = {pk: [] for pk in shipment_ids}
    for pk, shipment_id in ShipmentLine.objects.filter(shipment_id__in=shipment_ids).values_list("pk", "shipment_id"):
        lines[shipment_id].append(pk)
    return lines


def intake_for(shipment_ids, lines):
    from decimal import Decimal

    from logistics.models import Grade
    from logistics.movement import Intake

    return {line: Intake(Decimal("1.850"), Grade.FIRST) for pk in shipment_ids for line in lines[pk]}


# --- what is measured ---------------------------------------------------------------------------


class Counter:
    """Counts the SQL statements sent, at less cost than Django's debug cursor."""

    def __init__(self):
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


def timed(action) -> dict:
    from django.db import connection

    counter = Counter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        action()
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "queries": counter.queries}


def queue_queries(people, template) -> dict:
    """The clerk's queue at each length, half of it taken in (so that it has events to show)."""
    from django.urls import NoReverseMatch, reverse
    from rest_framework.authtoken.models import Token

    from logistics.movement import Move, shipments_move

    clerk = people["clerk"]
    token = Token.objects.create(user=clerk)
    try:
        page = reverse("station:shipments")
    except NoReverseMatch:
        page = None
        print("shipments bench: no `station:shipments` page yet, its queries are skipped")
    api = reverse("api-v1-shipments") + "?station=BENCH-Q&limit=200"
    found = {"api": {}, **({"page_collect": {}, "page_received": {}} if page else {})}
    have = 0
    for length in QUEUE_LENGTHS:
        ids = paid_shipments(template, length - have, "queue")
        taken_in = ids[: len(ids) // 2]
        shipments_move(shipment_ids=taken_in, move=Move(to="received", intake=intake_for(taken_in, lines_of(taken_in))),
                       by=clerk)
        have = length
        analyze()
        found["api"][str(length)] = count_get(api, token=token.key, rows=length)
        if page:
            found["page_collect"][str(length)] = count_get(page, user=clerk)
            found["page_received"][str(length)] = count_get(page + "?stage=received", user=clerk)
    return found


def count_get(path: str, *, token: str = "", user=None, rows: int | None = None) -> int:
    """Queries of a second GET (the first warms the caches a running server would have warm)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", **({"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}))
    if user is not None:
        client.force_login(user)
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    if rows is not None:
        assert len(response.json()["results"]) == rows, (path, len(response.json()["results"]), rows)
    return len(queries)


def post_event_queries(people, template) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from rest_framework.authtoken.models import Token

    (shipment_id,) = paid_shipments(template, 1, "post")
    lines = lines_of([shipment_id])[shipment_id]
    token, _created = Token.objects.get_or_create(user=people["clerk"])
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token.key}")
    body = {"type": "received", "lines": [{"id": line, "weight_kg": "1.850", "grade": "first"} for line in lines]}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("api-v1-shipment-events", kwargs={"pk": shipment_id}), body,
                               content_type="application/json")
    assert response.status_code == 201, response.content
    return len(queries)


def morning_by_batch(ids: list[int], lines, by) -> dict:
    from logistics.movement import Move, shipments_move

    chunks = [ids[i:i + BATCH] for i in range(0, len(ids), BATCH)]
    # What the console's form sends, made before the clock starts.
    moves = {
        "received": [Move(to="received", intake=intake_for(chunk, lines)) for chunk in chunks],
        "qc_passed": [Move(to="qc_passed")] * len(chunks),
        "packed": [Move(to="packed")] * len(chunks),
    }

    def stage(to):
        def run():
            for chunk, move in zip(chunks, moves[to], strict=True):
                shipments_move(shipment_ids=chunk, move=move, by=by, source="console")

        return run

    return totals({to: timed(stage(to)) for to in STAGES})


def morning_one_by_one(ids: list[int], lines, by) -> dict:
    from logistics.models import Shipment
    from logistics.movement import Move, shipment_move

    shipments = [Shipment(pk=pk) for pk in ids]
    moves = {
        "received": [Move(to="received", intake=intake_for([pk], lines)) for pk in ids],
        "qc_passed": [Move(to="qc_passed")] * len(ids),
        "packed": [Move(to="packed")] * len(ids),
    }

    def stage(to):
        def run():
            for shipment, move in zip(shipments, moves[to], strict=True):
                shipment_move(shipment=shipment, move=move, by=by, source="console")

        return run

    return totals({to: timed(stage(to)) for to in STAGES})


def totals(stages: dict) -> dict:
    return {"stages": stages, "seconds": round(sum(s["seconds"] for s in stages.values()), 3),
            "queries": sum(s["queries"] for s in stages.values())}


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(Path(sys.argv[2]))
    else:
        main()
