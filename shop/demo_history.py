"""A year and a half of trade for the demo, so every report and chart shows something real.

Orders from last year and this one, placed, paid, taken in, checked, shipped, delivered and
settled through the same services a real order goes through, each step at its own time
(`time_machine.travel`, as `shop.demo` does for the morning's parcels): the ledger's entries,
the running totals and the officials' monthly series all carry those times. Some goods fail the
station's check, some parcels come back, some sales are refunded by the operator after they
settled. Miaoba's and Poji's managers pay their households each month. Sales grow through this year; Poji's households sold more last year than this one (the
relapse-risk list has someone to visit).

Deterministic: one seeded generator per order, and an order that exists is left as it is."""

import random
from datetime import timedelta
from decimal import Decimal

import time_machine
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from catalogue.models import Category
from impact.models import FeeRule, FeeType, LedgerEntry, PayoutBatch
from impact.payouts import payout_batch_mark_paid, payout_batch_prepare
from logistics.models import Station, StationMembership, StationRole
from logistics.states import State
from shop.core.errors import InvalidInput
from shop.demo import (
    AMBIENT,
    CHILLED,
    FROZEN,
    PATHS,
    SEED,
    TO_DELIVERED,
    TO_DISPATCHED,
    DemoOrder,
    _china,
    _goods_by_station,
    _order,
    parcel,
    refuse_in_production,
)
from shop.models import User
from shop.order.models import Order
from shop.order.refunds import order_refund

# Orders a day, by station, this year (the first weight) and last year (the second).
STATION_WEIGHTS = {
    "YJ-MIAOBA": (5, 3), "YJ-YANJING": (3, 2), "YJ-DOUSHA": (2, 1),
    "ZX-POJI": (1, 6), "ZX-YILE": (2, 1), "ZX-MANGBU": (1, 1),
    "YL-XIAOCAOBA": (3, 2), "YL-LUOZEHE": (1, 1), "YL-LONGJIE": (1, 1),
}
FIRST_DAY, LAST_DAY = 540, 21  # days ago: the history ends where the morning's parcels begin
PAYOUT_AFTER_SALE = timedelta(days=15)
ORDERS_A_WEEK = (3.0, 7.0)  # at the start of the history and at its end: sales grow


def fee_rules_ensure() -> None:
    """The platform's fees in the demo: 5 % commission (none on certified poverty-alleviation
    goods), 8 % on handicrafts and 3 % on mountain produce (certified or not), ¥1 a unit for
    packing, ¥1.50 at Miaoba (foam boxes, ice packs). Rules the operator changed are kept."""
    handicrafts = Category.objects.filter(slug="handicrafts").first()
    produce = Category.objects.filter(slug="mountain-produce").first()
    miaoba = Station.objects.filter(code="YJ-MIAOBA").first()
    wanted = [
        (FeeType.COMMISSION, None, None, Decimal("0.0500"), Decimal("0.00"), True),
        (FeeType.COMMISSION, handicrafts, None, Decimal("0.0800"), Decimal("0.00"), False),
        (FeeType.COMMISSION, produce, None, Decimal("0.0300"), Decimal("0.00"), False),
        (FeeType.PACKING, None, None, Decimal("0"), Decimal("1.00"), False),
        (FeeType.PACKING, None, miaoba, Decimal("0"), Decimal("1.50"), False),
    ]
    for fee_type, category, station, rate, per_unit, waived in wanted:
        FeeRule.objects.get_or_create(
            fee_type=fee_type, category=category, station=station,
            defaults={"rate": rate, "per_unit": per_unit, "waived_for_certified": waived},
        )


def history_specs(now) -> list[tuple[str, DemoOrder, bool]]:
    """(order number, what happens to it, refunded by the operator after it settled), oldest first."""
    rng = random.Random(f"{SEED}-history")
    specs = []
    this_year = timezone.localtime(now).year
    for days_ago in range(FIRST_DAY, LAST_DAY, -1):
        day = now - timedelta(days=days_ago)
        progress = (FIRST_DAY - days_ago) / (FIRST_DAY - LAST_DAY)
        per_day = (ORDERS_A_WEEK[0] + (ORDERS_A_WEEK[1] - ORDERS_A_WEEK[0]) * progress) / 7
        orders_today = int(per_day) + (1 if rng.random() < per_day % 1 else 0)
        column = 0 if timezone.localtime(day).year == this_year else 1
        stations, weights = zip(*((code, w[column]) for code, w in STATION_WEIGHTS.items()), strict=True)
        for _n in range(orders_today):
            station = rng.choices(stations, weights)[0]
            storage = rng.choices([AMBIENT, CHILLED, FROZEN], [6, 2, 1])[0]
            fate = rng.random()
            if fate < 0.04:
                part = parcel(station, storage, to=State.QC_FAILED)
            elif fate < 0.08:
                part = parcel(station, storage, path=(*TO_DELIVERED, State.RETURN_REQUESTED, State.RETURNED))
            elif fate < 0.10:
                part = parcel(station, storage, path=(*TO_DISPATCHED, State.EXCEPTION, State.RETURNED))
            elif fate < 0.15:
                part = parcel(station, storage, AMBIENT, path=PATHS[State.DELIVERED], settled=True, failed_line=True)
            else:
                part = parcel(station, storage, path=PATHS[State.DELIVERED], settled=True)
            hours_ago = days_ago * 24 - rng.uniform(8, 20)  # in the day, China time
            specs.append((DemoOrder(hours_ago, (part,)), rng.random() < 0.02))
    return [(f"WM-HIST-{n:04d}", spec, refunded) for n, (spec, refunded) in enumerate(specs, start=1)]


def history_load(*, log=print) -> int:
    """Place the history's orders that do not exist yet (after `shop.demo.demo_load`, whose
    stations, goods and accounts it uses); returns how many orders it holds."""
    refuse_in_production()
    fee_rules_ensure()
    accounts = {
        "admin": User.objects.get(username="admin"),
        "buyer": User.objects.get(username="buyer"),
        "station_users": {
            m.station.code: m.user
            for m in StationMembership.objects.filter(role=StationRole.MANAGER).select_related("station", "user")
        },
    }
    goods, country = _goods_by_station(), _china()
    now = timezone.now()
    specs = history_specs(now)
    existing = set(Order.objects.filter(number__startswith="WM-HIST-").values_list("number", flat=True))
    # Nobody is told today about a parcel delivered last spring: the history's e-mails and texts
    # go to memory, not to the console the demo's own morning prints to.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
                           SMS_BACKEND="shop.core.sms.LocmemBackend"):
        pay_days = _pay_days(now)
        for number, spec, refunded in specs:
            placed = now - timedelta(hours=spec.hours_ago)
            # A month's payout runs once everything sold more than a fortnight before it has
            # settled, and before anything sold later could have: it pays what had settled then.
            while pay_days and pay_days[0] < placed + PAYOUT_AFTER_SALE:
                _payouts(pay_days.pop(0), accounts=accounts)
            if number in existing:
                continue
            rng = random.Random(f"{SEED}-{number}")
            _order(number, spec, rng=rng, now=now, goods=goods, country=country, accounts=accounts)
            if refunded:
                _refund_after_settlement(number, placed=now - timedelta(hours=spec.hours_ago), accounts=accounts)
    log(f"Demo history: {len(specs)} orders over {FIRST_DAY - LAST_DAY} days, "
        f"{LedgerEntry.objects.count()} ledger entries")
    return len(specs)


def _pay_days(now) -> list:
    """The 5th of each month of the history, 10 a.m. China time, oldest first."""
    first = timezone.localtime(now - timedelta(days=FIRST_DAY))
    day = first.replace(day=5, hour=10, minute=0, second=0, microsecond=0)
    days = []
    last = now - timedelta(days=LAST_DAY) - PAYOUT_AFTER_SALE
    while day < last:
        if day > first:
            days.append(day)
        day = (day + timedelta(days=32)).replace(day=5)
    return days


def _payouts(day, *, accounts) -> None:
    """Each managed station pays its households what has settled, on `day` (once)."""
    for code, manager in accounts["station_users"].items():
        station = Station.objects.get(code=code)
        if PayoutBatch.objects.filter(station=station, prepared_at__date=timezone.localdate(day)).exists():
            continue
        with time_machine.travel(day, tick=False), transaction.atomic():
            try:
                batch = payout_batch_prepare(station=station, by=manager)
            except InvalidInput:  # nothing settled yet
                continue
        with time_machine.travel(day + timedelta(hours=26), tick=False):
            payout_batch_mark_paid(batch=batch, by=manager, bank_reference=f"ABC{day:%Y%m}{station.pk:02d}")


@transaction.atomic
def _refund_after_settlement(number: str, *, placed, accounts) -> None:
    """The buyer complained a week after the sale settled; the operator refunds one unit."""
    order = Order.objects.get(number=number)
    line = order.lines.first()
    with time_machine.travel(placed + timedelta(days=16), tick=False):
        order_refund(order=order, quantities={line.pk: 1}, by=accounts["admin"], reason="买家投诉：货物与描述不符")
