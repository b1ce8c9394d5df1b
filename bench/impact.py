"""`make bench` (part five): the officials' impact reports at the scale of a city, on PostgreSQL.

Targets (the reports issue): with 100,000 households and 1,000,000 ledger entries, the city's
summary answers in under 500 ms and a county's drill-down in under 300 ms; a CSV export of every
household streams with flat memory.

1. Data, built once and reused (`--rebuild` drops the database and builds it again): the real
   Zhaotong townships, 100,000 synthetic households spread over them (Zhenxiong 60 %, Yiliang
   30 %, Yanjin 10 %; fake names and ID numbers from `sellers.synthetic`, fixed seed), a seller
   for each household that sold, and 1,000,000 ledger entries over last year and this one
   (credits with their gross, commission and packing fees, buyers' transport fees, full and
   partial refunds before settlement, settlements, monthly payouts), written with COPY
   (PostgreSQL) or large INSERT batches (SQLite), not through the services, which write one
   order at a time. The running totals (balances, household and seller years, township months)
   are then built from the entries by one INSERT … SELECT … GROUP BY each, whose conditions come
   from the services' own rules (`balance_moves`, `counts_as_income`), checked by the ledger
   audit, and the tables vacuumed and analysed (the local PostgreSQL runs without autovacuum).
2. Measurements, each after a warm-up, best and median of --rounds: the selectors and the pages
   and API an official uses, with their SQL queries (Django's CaptureQueriesContext), the CPU
   time they took (this process's, plus its PostgreSQL server process's read from /proc: on a
   shared machine wall time measures the neighbours too) and their time as a multiple of a
   one-row lookup (`Household.objects.filter(pk=…).first()`) timed in the same process. A run
   whose median is over its target prints EXPLAIN ANALYZE of its slowest queries.
3. Memory of the household CSV export (`impact.exports`, through the download view): the peak of
   Python's allocations (tracemalloc) while the streamed response is consumed, for the city and
   for one county (a tenth of the rows): flat means the city's peak is not ~10× the county's.

Database: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/wumeng_bench, created if
missing). `--sqlite` runs the same on SQLite afterwards, at a tenth of the size
(var/bench-impact.sqlite3), in a child process. Prints a table; writes bench/results/impact.json.
Nothing here is asserted: the figures are for people to read."""

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/wumeng_bench"
SQLITE_FILE = ROOT / "var" / "bench-impact.sqlite3"
RESULTS = ROOT / "bench" / "results"
SEED = 20260530
CHINA = ZoneInfo("Asia/Shanghai")
REGISTRY_PREFIX = "BENCH"  # registry ids BENCH<township code><n>: apart from the demo's
KEY_PREFIX = "bench-"  # idempotency keys of the bench's entries
CITY, COUNTY, BIG_COUNTY = "5306", "530623", "530627"  # Zhaotong; Yanjin (a tenth); Zhenxiong (the largest)
# Where the households live: roughly the three counties' rural populations.
COUNTY_SHARES = {"530627": 0.6, "530628": 0.3, "530623": 0.1}
UNIT_PRICES_FEN = [2800, 3800, 4800, 5800, 6800, 8800, 9900, 12800, 16800, 19800, 26800]
# The targets, for the selectors and for what an official actually waits on (the API's
# summary, the report pages).
TARGETS_MS = {
    "city summary": 500, "county drill-down (Yanjin)": 300, "county drill-down (Zhenxiong)": 300,
    "API: GET impact/summary (city)": 500, "API: GET impact/summary (Yanjin)": 300,
    "page: city report": 500, "page: county report (Yanjin)": 300, "page: county report (Zhenxiong)": 300,
}
PAGE = 30  # households a page of the relapse-risk list shows (impact.views.HOUSEHOLDS_PAGE)


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="drop the bench database and build the data again")
    parser.add_argument("--households", type=int, help="default 100,000 (PostgreSQL) or 10,000 (SQLite)")
    parser.add_argument("--entries", type=int, help="default 1,000,000 (PostgreSQL) or 100,000 (SQLite)")
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "5")))
    parser.add_argument("--sqlite", action="store_true", help="then measure SQLite too, at a tenth of the size")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # a SQLite run's figures go to this file
    return parser.parse_args()


def main() -> None:
    args = options()
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if args.child:
        url = f"sqlite:///{SQLITE_FILE}"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    postgres = url.startswith(("postgres://", "postgresql://"))
    if postgres:
        database_ensure(url, drop=args.rebuild)
    elif args.rebuild:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    scale = 1 if postgres else 10
    households = args.households or 100_000 // scale
    entries = args.entries or 1_000_000 // scale

    import warnings

    import django

    # WhiteNoise's warning that the static files are not collected: the bench does not serve them.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()
    from django.conf import settings
    from django.test import override_settings

    figures = {"build": build(households=households, entries=entries)}
    # Static files by name: the bench renders pages without collecting the static files the
    # production storage's manifest would name.
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
        figures |= measure(rounds=args.rounds)
    if args.child:
        Path(args.child).write_text(json.dumps(figures, default=str))
        return
    report(figures)
    results = {"postgresql" if postgres else "sqlite": figures}
    if args.sqlite:
        SQLITE_FILE.parent.mkdir(exist_ok=True)
        out = RESULTS / "impact-sqlite.json"
        RESULTS.mkdir(exist_ok=True)
        command = [sys.executable, __file__, "--child", str(out), "--rounds", str(args.rounds)]
        subprocess.run(command + (["--rebuild"] if args.rebuild else []), check=True, cwd=ROOT,
                       env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"})
        results["sqlite"] = json.loads(out.read_text())
        report(results["sqlite"])
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "impact.json").write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    print(f"\nwritten: {RESULTS / 'impact.json'}")


def database_ensure(url: str, *, drop: bool) -> None:
    """The bench's own database, created if missing (dropped first with --rebuild)."""
    import psycopg

    server, name = url.split("?", 1)[0].rsplit("/", 1)
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        if drop:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


# --- 1. the data --------------------------------------------------------------------------------


def build(*, households: int, entries: int) -> dict:
    """The bench's households and entries and their running totals: reused when there, built
    when not; any other amount of them is refused (rebuild)."""
    from django.core.management import call_command
    from django.db import connection

    from impact.models import LedgerEntry
    from sellers.models import Household
    from shop.services import divisions_load

    (ROOT / "var").mkdir(exist_ok=True)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated_in = round(time.perf_counter() - started, 1)
    divisions_load()
    have_households = Household.objects.filter(registry_id__startswith=REGISTRY_PREFIX).count()
    have_entries = LedgerEntry.objects.filter(idempotency_key__startswith=KEY_PREFIX).count()
    facts = {"database": connection.vendor, "households": households, "entries": entries}
    if (have_households, have_entries) == (households, entries):
        print(f"impact bench: reusing {households:,} households and {entries:,} ledger entries "
              f"({connection.vendor}; --rebuild to build them again)")
        return facts | {"reused": True}
    if have_households or have_entries:
        sys.exit(f"impact bench: the database holds {have_households:,} bench households and {have_entries:,} "
                 f"entries, not {households:,} and {entries:,}: run with --rebuild")
    print(f"impact bench: building {households:,} households and {entries:,} ledger entries on {connection.vendor}…")
    steps = {"migrate_s": migrated_in, **generate(households=households, entries=entries)}
    started_vacuum = time.perf_counter()
    vacuum_analyze()
    steps["vacuum_analyze_s"] = round(time.perf_counter() - started_vacuum, 1)
    started_audit = time.perf_counter()
    steps["audit_discrepancies"] = audit()
    steps["audit_s"] = round(time.perf_counter() - started_audit, 1)
    steps["total_s"] = round(time.perf_counter() - started, 1)
    print("impact bench: built in " + ", ".join(f"{k.removesuffix('_s')} {v} s" for k, v in steps.items()
                                                 if k.endswith("_s")) + f"; audit: {steps['audit_discrepancies']}")
    return facts | {"reused": False, **steps}


class Ids:
    """The next free primary key of each table the bench fills (it writes its own keys: entries
    refer to each other, to households and to sellers before anything is written)."""

    def __init__(self, *models):
        from django.db.models import Max

        self.next = {m: (m.objects.aggregate(top=Max("pk"))["top"] or 0) + 1 for m in models}

    def take(self, model) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


def generate(*, households: int, entries: int) -> dict:
    from django.db import connection, transaction

    from impact.models import LedgerEntry
    from sellers.models import Household, Seller
    from sellers.partner.models import Partner

    rng = random.Random(SEED)
    steps = {}
    with transaction.atomic():
        ids = Ids(Household, Partner, Seller, LedgerEntry)
        first_entry = ids.next[LedgerEntry]
        started = time.perf_counter()
        homes = household_rows(rng, ids, households)
        write_rows(Household, homes)
        steps["households_s"] = round(time.perf_counter() - started, 1)

        started = time.perf_counter()
        sellers: list[tuple[int, int, dict]] = []  # (seller id, partner id, household row)
        written = write_rows(LedgerEntry, entry_rows(rng, ids, homes, entries, sellers), fields=ENTRY_FIELDS)
        if written != entries:
            raise RuntimeError(f"only {written:,} entries for {households:,} households: ask for fewer entries")
        steps["entries_s"] = round(time.perf_counter() - started, 1)

        started = time.perf_counter()
        write_rows(Partner, (partner_row(pid, home) for _sid, pid, home in sellers))
        write_rows(Seller, (seller_row(sid, pid, home) for sid, pid, home in sellers))
        steps["sellers"] = len(sellers)
        steps["sellers_s"] = round(time.perf_counter() - started, 1)
        if connection.vendor == "postgresql":
            from django.core.management.color import no_style

            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [Household, Partner, Seller, LedgerEntry]):
                    cursor.execute(sql)

        started = time.perf_counter()
        totals_build(first_entry=first_entry, last_entry=ids.next[LedgerEntry] - 1)
        steps["totals_s"] = round(time.perf_counter() - started, 1)
    return steps


def household_rows(rng: random.Random, ids: Ids, count: int) -> list[dict]:
    """Synthetic registry records (`sellers.synthetic`) as rows of the household table."""
    from django.utils import timezone

    from sellers.models import Household
    from sellers.synthetic import household_data
    from shop.models import Division, DivisionLevel

    townships = list(Division.objects.filter(level=DivisionLevel.TOWNSHIP).order_by("code"))
    weights = []
    for township in townships:
        county = township.code[:6]
        weights.append(COUNTY_SHARES.get(county, 0) / sum(1 for t in townships if t.code[:6] == county))
    now, this_year = timezone.now(), timezone.localdate().year
    placed = rng.choices(townships, weights=weights, k=count)
    numbers: dict[str, int] = {}
    result = []
    for township in placed:
        numbers[township.code] = numbers.get(township.code, 0) + 1
        data = household_data(rng, township=township, registry_id=f"{REGISTRY_PREFIX}{township.code}"
                              f"{numbers[township.code]:05d}", this_year=this_year)
        row = {
            **{k: v for k, v in data.items() if k not in ("township", "members")},
            "id": ids.take(Household), "township_id": township.code, "members": len(data["members"]),
            "baseline_income_per_capita": str(data["baseline_income_per_capita"]),
            "consent_recorded_at": now, "consent_recorded_by_id": None, "created_at": now, "updated_at": now,
        }
        result.append(row)
    return result


def partner_row(partner_id: int, home: dict) -> dict:
    return {"id": partner_id, "code": f"bench-{home['registry_id'].lower()}", "name": f"{home['head_name']}家"}


def seller_row(seller_id: int, partner_id: int, home: dict) -> dict:
    return {"id": seller_id, "kind": "household", "partner_id": partner_id, "household_id": home["id"],
            "township_id": home["township_id"]}


# An entry while it is made: [time (POSIX seconds), kind, fee type, bucket, household, seller,
# the entry it reverses (another of these lists) or None, amount (fen), gross (fen), key, id].
T, KIND, FEE, BUCKET, HOUSEHOLD, SELLER, REVERSES, AMOUNT, GROSS, KEY, ID = range(11)
ENTRY_FIELDS = ["id", "kind", "fee_type", "bucket", "household_id", "seller_id", "reverses_id", "amount", "gross",
                "created_at", "idempotency_key", "currency", "order_id", "order_line_id", "shipment_id", "reason",
                "approved_by_id", "payout_line_id"]


def fen(amount: int) -> str:
    return f"{'-' if amount < 0 else ''}{abs(amount) // 100}.{abs(amount) % 100:02d}"


def entry_rows(rng: random.Random, ids: Ids, homes: list, target: int, sellers: list):
    """Exactly `target` entries as rows of ENTRY_FIELDS: the households in a random order, each
    that sells with its whole story in time order (the last one cut short), until there are
    enough. Appends (seller id, partner id, household row) to `sellers` for each that sold."""
    from django.db import connection

    from impact.models import LedgerEntry
    from sellers.models import Seller
    from sellers.partner.models import Partner

    this_year = datetime.now(CHINA).year
    start = datetime(this_year - 1, 1, 1, tzinfo=CHINA).timestamp()
    end = time.time()
    paydays = []  # the stations pay settled balances out on the 10th of every month
    month = datetime(this_year - 1, 1, 10, 10, tzinfo=CHINA)
    while month.timestamp() < end:
        paydays.append(month.timestamp())
        month = month.replace(year=month.year + (month.month == 12), month=month.month % 12 + 1)
    when = (lambda t: datetime.fromtimestamp(t, UTC)) if connection.vendor == "postgresql" else (
        lambda t: connection.ops.adapt_datetimefield_value(datetime.fromtimestamp(t, UTC)))
    order = list(range(len(homes)))
    rng.shuffle(order)
    made, sales = 0, iter(range(1, 10**9))
    for index in order:
        if made >= target:
            return
        home = homes[index]
        seller = ids.take(Seller)
        story = household_story(rng, home["id"], seller, sales, start=start, end=end, paydays=paydays)
        story = story[: target - made]
        sellers.append((seller, ids.take(Partner), home))
        for entry in story:
            entry[ID] = ids.take(LedgerEntry)
            reverses = entry[REVERSES]
            yield (entry[ID], entry[KIND], entry[FEE], entry[BUCKET], entry[HOUSEHOLD], entry[SELLER],
                   reverses[ID] if reverses else None, fen(entry[AMOUNT]), fen(entry[GROSS]), when(entry[T]),
                   entry[KEY], "CNY", None, None, None, "", None, None)
        made += len(story)


def household_story(rng: random.Random, household: int, seller: int, sales, *, start: float, end: float,
                    paydays: list[float]) -> list[list]:
    """One selling household's entries over the two years, in time order: a few sales for most,
    many for a few; more of them lately (the platform grows)."""
    day = 86_400.0
    certified = rng.random() < 0.3  # certified poverty-alleviation products pay no commission
    story = []
    for _ in range(max(1, round(rng.lognormvariate(1.3, 0.9)))):
        sale = next(sales)
        t = start + (end - start) * math.sqrt(rng.random())
        quantity = rng.choice((1, 1, 1, 2, 2, 3, 5))
        gross = rng.choice(UNIT_PRICES_FEN) * quantity
        fees = {"packing": 200 * quantity}
        if not certified:
            fees["commission"] = (gross * 5 + 50) // 100
        credit = [t, "sale_pending", "", "pending", household, seller, None, gross - sum(fees.values()), gross,
                  f"{KEY_PREFIX}sale:{sale}:h{household}", None]
        fee_entries = [[t, "fee", kind, "none", household, seller, None, amount, 0, f"{KEY_PREFIX}fee:{sale}:{kind}",
                        None] for kind, amount in fees.items()]
        story += [credit, *fee_entries]
        if rng.random() < 0.5:  # the buyer's delivery charge, paid to the station
            story.append([t, "fee", "transport", "none", None, None, None, rng.choice((800, 1000, 1200, 1800)), 0,
                          f"{KEY_PREFIX}delivery:{sale}:transport", None])
        outcome = rng.random()
        refund_at = t + rng.uniform(0.2, 3) * day
        settle_at = t + rng.uniform(4, 10) * day
        share = 1 if outcome < 0.05 else 2 if outcome < 0.07 else 0  # refunded whole (QC failed), half, not
        if share and refund_at < end:
            for component in (credit, *fee_entries):
                part = component[AMOUNT] // share
                gross_part = component[GROSS] // share
                story.append([refund_at, "reversal", component[FEE], "pending" if component is credit else "none",
                              household, seller, component, -part, -gross_part,
                              f"{KEY_PREFIX}refund:{sale}:{component[FEE] or 'credit'}", None])
            left = credit[AMOUNT] - credit[AMOUNT] // share
        else:
            left = credit[AMOUNT]
        if left and settle_at < end:
            story.append([settle_at, "sale_settled", "", "settled", household, seller, None, left, 0,
                          f"{KEY_PREFIX}settle:{sale}:h{household}", None])
    story.sort(key=lambda e: e[T])
    # Payouts: on each payday, whatever has settled by then, once it is worth a transfer (≥ ¥50).
    result, settled, next_payday = [], 0, 0
    for entry in story:
        while next_payday < len(paydays) and paydays[next_payday] < entry[T]:
            if settled >= 5000:
                result.append([paydays[next_payday], "payout", "", "settled", household, None, None, -settled, 0,
                               f"{KEY_PREFIX}payout:{household}:{next_payday}", None])
                settled = 0
            next_payday += 1
        if entry[KIND] == "sale_settled":
            settled += entry[AMOUNT]
        result.append(entry)
    for payday in paydays[next_payday:]:
        if settled >= 5000 and payday < end:
            result.append([payday, "payout", "", "settled", household, None, None, -settled, 0,
                           f"{KEY_PREFIX}payout:{household}:{paydays.index(payday)}", None])
            settled = 0
    return result


def write_rows(model, rows, *, fields: list[str] | None = None) -> int:
    """Write rows (dicts by attribute name, or tuples in the order of `fields`) to the model's
    table: COPY on PostgreSQL, INSERT batches of 5,000 on SQLite. Every column must be given
    (the bench does not rely on defaults the database does not hold)."""
    from itertools import islice

    from django.db import connection

    concrete = {f.attname: f.column for f in model._meta.concrete_fields}
    if fields is None:
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return 0
        fields = list(first)
        rows = ([r[f] for f in fields] for r in _chain_first(first, rows))
    missing = set(concrete) - set(fields)
    if missing or set(fields) - set(concrete):
        raise RuntimeError(f"{model.__name__}: columns given {sorted(fields)}, the table has {sorted(concrete)}")
    qn = connection.ops.quote_name
    table, columns = qn(model._meta.db_table), ", ".join(qn(concrete[f]) for f in fields)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        adapt = {i for i, f in enumerate(fields) if model._meta.get_field(f).get_internal_type() == "DateTimeField"}
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        while batch := list(islice(rows, 5000)):
            if adapt:
                batch = [[connection.ops.adapt_datetimefield_value(v) if i in adapt and isinstance(v, datetime) else v
                          for i, v in enumerate(row)] for row in batch]
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _chain_first(first, rest):
    yield first
    yield from rest


# The running totals, from the entries, by the services' rules -----------------------------------


def _moves_rules():
    """[(kind, bucket, {balance field: sign})] of `impact.services.balance_moves`."""
    from impact.models import Bucket, EntryKind, LedgerEntry
    from impact.services import balance_moves

    return [(kind, bucket, moves) for kind in EntryKind for bucket in Bucket
            if (moves := balance_moves(LedgerEntry(kind=kind, bucket=bucket, household_id=0)))]


def _income_condition():
    """The entries `impact.services.counts_as_income` accepts, as a condition (fee type empty
    or not, for every kind)."""
    from functools import reduce
    from operator import or_

    from django.db.models import Q

    from impact.models import EntryKind, FeeType, LedgerEntry
    from impact.services import counts_as_income

    return reduce(or_, [
        Q(kind=kind, fee_type="") if not fee_type else Q(kind=kind) & ~Q(fee_type="")
        for kind in EntryKind for fee_type in ("", FeeType.COMMISSION)
        if counts_as_income(LedgerEntry(kind=kind, fee_type=fee_type))
    ])


def totals_build(*, first_entry: int, last_entry: int) -> None:
    """Add the bench's entries (ids first_entry..last_entry) to the running totals: one
    INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE per table, adding to rows already there
    (a township's months may hold the demo's sales too), as `impact.services._add_to_rows` does."""
    from functools import reduce
    from operator import or_

    from django.db.models import Case, DecimalField, F, Q, Sum, Value, When
    from django.db.models.functions import ExtractMonth, ExtractYear, Round

    from impact.models import ZERO, HouseholdBalance, HouseholdYear, LedgerEntry, SellerYear, TownshipMonth

    money = DecimalField(max_digits=14, decimal_places=2)

    def total(expression):
        # Rounded to the fen: SQLite adds decimals as floats.
        return Round(Sum(expression, output_field=money), 2, output_field=money)

    entries = LedgerEntry.objects.order_by().filter(id__gte=first_entry, id__lte=last_entry)
    rules = _moves_rules()
    balances = {
        field: total(Case(*[When(Q(kind=kind, bucket=bucket), then=F("amount") * Value(Decimal(moves[field])))
                            for kind, bucket, moves in rules if field in moves],
                          default=Value(ZERO), output_field=money))
        for field in ("pending", "settled", "paid_out")
    }
    moving = reduce(or_, [Q(kind=kind, bucket=bucket) for kind, bucket, _moves in rules])
    _upsert(HouseholdBalance, ["household_id"], list(balances),
            entries.filter(moving, household_id__isnull=False).values("household_id").annotate(**balances))
    income = entries.filter(_income_condition()).annotate(year=ExtractYear("created_at"))
    _upsert(HouseholdYear, ["household_id", "year"], ["gross_sales", "net_income"],
            income.filter(household_id__isnull=False).values("household_id", "year")
            .annotate(gross_sales=total(F("gross")), net_income=total(F("amount"))))
    _upsert(SellerYear, ["seller_id", "year"], ["net_income"],
            income.filter(seller_id__isnull=False).values("seller_id", "year").annotate(net_income=total(F("amount"))))
    _upsert(TownshipMonth, ["township_id", "year", "month"], ["gross_sales", "net_income"],
            income.filter(household_id__isnull=False)
            .annotate(township_id=F("household__township_id"), month=ExtractMonth("created_at"))
            .values("township_id", "year", "month")
            .annotate(gross_sales=total(F("gross")), net_income=total(F("amount"))))


def _upsert(model, keys: list[str], fields: list[str], grouped) -> None:
    from django.db import connection

    qn = connection.ops.quote_name
    sql, params = grouped.query.sql_with_params()
    table = qn(model._meta.db_table)
    columns = [qn(model._meta.get_field(name).column) for name in keys + fields]
    aliases = ", ".join(qn(name) for name in keys + fields)
    additions = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns[len(keys):])
    with connection.cursor() as cursor:
        # WHERE true: SQLite's grammar needs it between an INSERT's SELECT and its ON CONFLICT.
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {aliases} FROM ({sql}) AS grouped WHERE true "
            f"ON CONFLICT ({', '.join(columns[:len(keys)])}) DO UPDATE SET {additions}", params,
        )


def vacuum_analyze() -> None:
    """What autovacuum would have done after a load this size (the local server runs without
    it): fresh statistics for the planner and the visibility map for index-only scans."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def audit() -> int:
    """Discrepancies the ledger audit finds between the entries and the running totals built
    from them (0: the totals follow the services' rules)."""
    from impact.audit import ledger_discrepancies

    found = ledger_discrepancies()
    for discrepancy in found[:5]:
        print(f"  audit: {discrepancy}")
    return len(found)


# --- 2. measurements ----------------------------------------------------------------------------


def timed(action, *, rounds: int) -> dict:
    """Queries of a first (warm-up) run, then the best and median of `rounds` timed runs, and
    the CPU they took (this process and, on a local PostgreSQL, its server process): on a
    shared machine wall time measures the neighbours too, CPU time much less."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    # A request empties the query log as it starts: empty it first, or the capture's start
    # index would point past its end.
    reset_queries()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        action()
    warm_up_ms = (time.perf_counter() - started) * 1000
    # Read now: the capture slices the connection's log when asked, and the next request empties it.
    queries = [q["sql"] for q in captured.captured_queries]
    # Quick runs more often: /proc counts CPU in 10 ms ticks, and a median of a few is noise.
    if warm_up_ms < 50:
        rounds = min(200, max(rounds, int(500 / max(warm_up_ms, 2.5))))
    server = ServerCpu()
    times, cpu = [], []
    for _ in range(rounds):
        started, started_cpu, started_server = time.perf_counter(), time.process_time(), server.ms()
        action()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000 + server.ms() - started_server)
    return {"best_ms": round(min(times), 1), "median_ms": round(statistics.median(times), 1),
            "cpu_ms": round(statistics.mean(cpu), 1), "queries": len(queries), "rounds": rounds, "sql": queries}


class ServerCpu:
    """CPU time of the PostgreSQL server process serving this connection, from /proc (0 when
    the server is elsewhere or the database is SQLite, whose work is this process's own)."""

    def __init__(self):
        from django.db import connection

        self.stat = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
            self.stat = stat if stat.exists() else None
        self.tick = os.sysconf("SC_CLK_TCK")

    def ms(self) -> float:
        if self.stat is None:
            return 0.0
        fields = self.stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / self.tick  # utime + stime


def official():
    """A city official (read-only, all of Zhaotong) and an API token of theirs."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from shop.models import Division
    from shop.services import official_scope_grant

    user, _created = get_user_model().objects.get_or_create(username="bench-impact-official")
    official_scope_grant(user=user, region=Division.objects.get(code=CITY.ljust(6, "0")))
    token, _created = Token.objects.get_or_create(user=user)
    return user, token.key


def measure(*, rounds: int) -> dict:
    from django.core.paginator import Paginator
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from impact import selectors
    from impact.models import LedgerEntry
    from sellers.models import Household

    year = timezone.localdate().year
    user, token = official()
    township = (Household.objects.filter(registry_id__startswith=f"{REGISTRY_PREFIX}{BIG_COUNTY}")
                .order_by("registry_id").values_list("township_id", flat=True).first())
    pk = Household.objects.filter(registry_id__startswith=REGISTRY_PREFIX).order_by("pk").values_list("pk", flat=True)[
        Household.objects.filter(registry_id__startswith=REGISTRY_PREFIX).count() // 2]
    api = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")
    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(user)

    def get(client, path):
        def run():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code, response.content[:300])
        return run

    def county(prefix):
        def run():
            selectors.region_figures(prefix=prefix, year=year)
            selectors.region_breakdown(prefix=prefix, year=year, by="township")
        return run

    def relapse_first_page():
        page = Paginator(selectors.relapse_risk(prefix=CITY, year=year).select_related("township"), PAGE).get_page(1)
        list(page)

    cases = {
        "baseline: one household by pk": lambda: Household.objects.filter(pk=pk).first(),
        "city summary": lambda: selectors.region_figures(prefix=CITY, year=year),
        "city summary, last year": lambda: selectors.region_figures(prefix=CITY, year=year - 1),
        "county drill-down (Yanjin)": county(COUNTY),
        "county drill-down (Zhenxiong)": county(BIG_COUNTY),
        "city by township": lambda: selectors.region_breakdown(prefix=CITY, year=year, by="township"),
        "city by poverty cause": lambda: selectors.region_breakdown(prefix=CITY, year=year, by="poverty_cause"),
        f"township → villages ({township})": lambda: selectors.region_breakdown(prefix=township, year=year,
                                                                               by="village"),
        "monthly series (city)": lambda: selectors.region_months(prefix=CITY, year=year),
        "relapse risk, first page (city)": relapse_first_page,
    }
    # The household with the longest ledger: its page and its ledger over the API.
    busiest = (LedgerEntry.objects.filter(idempotency_key__startswith=KEY_PREFIX, household__isnull=False)
               .values("household__registry_id").annotate(n=Count("id")).order_by("-n", "household__registry_id")
               .first())
    registry_id, entries = busiest["household__registry_id"], busiest["n"]
    for name, client, url, kwargs, query in (
        ("API: GET impact/summary (city)", api, "api-v1-impact-summary", {}, f"region={CITY}00&year={year}"),
        ("API: GET impact/summary (Yanjin)", api, "api-v1-impact-summary", {}, f"region={COUNTY}&year={year}"),
        (f"API: GET a household's ledger ({entries} entries)", api, "api-v1-household-ledger",
         {"registry_id": registry_id}, ""),
        ("page: city report", browser, "impact:report", {}, f"region={CITY}00&year={year}"),
        ("page: county report (Yanjin)", browser, "impact:report", {}, f"region={COUNTY}&year={year}"),
        ("page: county report (Zhenxiong)", browser, "impact:report", {}, f"region={BIG_COUNTY}&year={year}"),
        ("page: relapse risk (city)", browser, "impact:relapse-risk", {}, f"region={CITY}00&year={year}"),
        (f"page: a household ({entries} entries)", browser, "impact:household", {"registry_id": registry_id},
         f"year={year}"),
    ):
        try:
            cases[name] = get(client, reverse(url, kwargs=kwargs) + "?" + query)
        except NoReverseMatch:
            print(f"impact bench: no {url} yet: “{name}” is skipped")
    figures = {}
    load = os.getloadavg()[0]
    for name, action in cases.items():
        figures[name] = timed(action, rounds=rounds)
    baseline = figures["baseline: one household by pk"]["median_ms"]
    for found in figures.values():
        found["vs_baseline"] = round(found["median_ms"] / baseline) if baseline else None
    over = [name for name, target in TARGETS_MS.items() if name in figures and figures[name]["median_ms"] > target]
    explained = {name: explain(figures[name]["sql"]) for name in over} if connection.vendor == "postgresql" else {}
    return {"year": year, "rounds": rounds, "load": [load, os.getloadavg()[0]], "cases": figures, "over_target": over, "explain": explained,
            "export_memory": export_memory(browser, year)}


def explain(statements: list[str], *, slowest: int = 3) -> list[str]:
    """EXPLAIN ANALYZE of the run's slowest reads (of a run over its target)."""
    from django.db import connection

    plans = []
    with connection.cursor() as cursor:
        for sql in dict.fromkeys(statements):
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            lines = [row[0] for row in cursor.fetchall()]
            took = float(lines[-1].split(":")[1].split()[0])  # "Execution Time: 123.456 ms"
            plans.append((took, "\n".join(lines)))
    return [plan for _took, plan in sorted(plans, reverse=True)[:slowest]]


# --- 3. the export's memory ---------------------------------------------------------------------


def export_memory(browser, year: int) -> dict:
    """Peak Python memory (tracemalloc) while the household CSV export streams, city vs county."""
    from django.urls import NoReverseMatch, reverse

    try:
        from impact import exports

        path = reverse("impact:export", kwargs={"table": "households", "fmt": "csv"})
    except (ImportError, NoReverseMatch):
        print("impact bench: no household CSV export (impact.exports) yet: its memory is not measured")
        return {}
    result = {}
    # A township's first: what the first export of the process allocates once (imports, the
    # translations, compiled templates and SQL) is not what an export takes.
    for name, region in (("warm-up", COUNTY + "101"), ("county (Yanjin)", COUNTY), ("city", f"{CITY}00")):
        response = browser.get(f"{path}?region={region}&year={year}")
        assert response.status_code == 200 and response.streaming, (region, response.status_code)
        rows = size = 0
        tracemalloc.start()
        started = time.perf_counter()
        try:
            for chunk in response.streaming_content:
                size += len(chunk)
                rows += chunk.count(b"\n")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        result[name] = {"rows": rows - 1, "bytes": size, "peak_kib": round(peak / 1024),
                        "seconds_traced": round(time.perf_counter() - started, 1)}
    del result["warm-up"]
    city, county = result["city"], result["county (Yanjin)"]
    result["peak_ratio"] = round(city["peak_kib"] / county["peak_kib"], 2) if county["peak_kib"] else None
    result["rows_ratio"] = round(city["rows"] / county["rows"], 1) if county["rows"] else None
    result["chunk"] = getattr(exports, "DB_CHUNK", 0)  # rows the export reads from the database at a time
    return result


# --- the table ----------------------------------------------------------------------------------


def report(figures: dict) -> None:
    build_facts, cases = figures["build"], figures["cases"]
    print(f"\nimpact reports on {build_facts['database']}: {build_facts['households']:,} households, "
          f"{build_facts['entries']:,} ledger entries; year {figures['year']}; "
          f"best and median of {figures['rounds']} after a warm-up (up to 200 for runs under 50 ms)")
    print(f"load average {figures['load'][0]:.1f} before, {figures['load'][1]:.1f} after ({os.cpu_count()} CPUs): "
          "wall times include the neighbours' work; CPU is this process's"
          + (" and its PostgreSQL server process's" if build_facts["database"] == "postgresql" else ""))
    print(f"{'':44}{'best ms':>9}{'median ms':>11}{'CPU ms':>9}{'queries':>9}{'× baseline':>12}{'target':>10}")
    for name, found in cases.items():
        target = TARGETS_MS.get(name)
        verdict = "" if target is None else f"{'<' if found['median_ms'] < target else 'OVER '}{target}"
        print(f"{name:44}{found['best_ms']:9.1f}{found['median_ms']:11.1f}{found['cpu_ms']:9.1f}{found['queries']:9d}"
              f"{found['vs_baseline'] or 0:12,d}{verdict:>10}")
    for name, plans in figures["explain"].items():
        print(f"\n{name} over its target: EXPLAIN ANALYZE")
        for plan in plans:
            print(plan + "\n")
    memory = figures["export_memory"]
    if memory:
        print("\nhousehold CSV export, streamed through the download view (peak of Python's allocations, tracemalloc)")
        for name in ("city", "county (Yanjin)"):
            m = memory[name]
            print(f"  {name:18}{m['rows']:>9,} rows {m['bytes'] / 1e6:8.1f} MB   peak {m['peak_kib']:>7,} KiB")
        if (memory["peak_ratio"] or 0) < 1.5:
            verdict = "flat"
        elif memory["county (Yanjin)"]["rows"] < memory["chunk"]:
            verdict = f"the county's rows fill less than one database read of {memory['chunk']:,}: compare larger regions"
        else:
            verdict = "NOT flat"
        print(f"  {memory['rows_ratio']}× the rows, {memory['peak_ratio']}× the peak ({verdict})")


if __name__ == "__main__":
    main()
