"""Reads of shipments: the station's queue, settlement, the public trace."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import BooleanField, Case, Count, Prefetch, Q, QuerySet, Value, When
from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin

from logistics.access import Scope
from logistics.models import Shipment, ShipmentEvent, ShipmentLine, ShipmentStatus, Station, Storage
from logistics.states import AT_STATION, State
from shop.core.errors import DomainError, NotFound, OutOfScope
from shop.core.ids import storable_ids


def stations_by_township(townships: Iterable[str]) -> dict[str, Station]:
    """{township code: the station that takes in its goods}: the first active station of each
    township (one query). Shipments are routed by it, and the buyer is quoted its delivery charge
    and shown its fees by it, so all three name the same station."""
    stations: dict[str, Station] = {}
    for station in Station.objects.filter(township_id__in=set(townships), is_active=True).order_by("id"):
        stations.setdefault(station.township_id, station)
    return stations


def shipments_due_for_settlement(*, now: datetime) -> QuerySet[Shipment]:
    """Delivered shipments whose return window has closed and that have not settled yet."""
    fresh_closed = now - timedelta(hours=settings.LOGISTICS_RETURN_WINDOW_FRESH_HOURS)
    other_closed = now - timedelta(days=settings.LOGISTICS_RETURN_WINDOW_OTHER_DAYS)
    return Shipment.objects.filter(
        Q(fresh=True, delivered_at__lte=fresh_closed) | Q(fresh=False, delivered_at__lte=other_closed),
        status=ShipmentStatus.DELIVERED,
        settled_at__isnull=True,
    ).order_by("delivered_at", "id")


def shipments_in_scope(scope: Scope) -> QuerySet[Shipment]:
    """Every shipment of the stations the caller works at (the operator: all)."""
    if scope.is_operator:
        return Shipment.objects.all()
    return Shipment.objects.filter(station__township_id__in=scope.staff_townships)


def shipments_queue(scope: Scope) -> QuerySet[Shipment]:
    """The work of the caller's stations: paid shipments of orders that were not cancelled."""
    return shipments_in_scope(scope).filter(paid_at__isnull=False, cancelled_at__isnull=True)


def with_shipment_details(shipments: QuerySet[Shipment]) -> QuerySet[Shipment]:
    """Shipments with their lines, goods, sellers' households and events: four queries for any number."""
    lines = ShipmentLine.objects.select_related(
        "order_line__product", "order_line__partner__seller__household"
    ).order_by("id")
    return shipments.select_related("station", "order").prefetch_related(
        Prefetch("lines", queryset=lines), Prefetch("events", queryset=ShipmentEvent.objects.order_by("at", "id"))
    )


def shipments_refusal(missing: Iterable[int], *, many: bool = False) -> DomainError:
    """Why shipments asked for are not among the caller's: another station's (OutOfScope) if one of
    them exists, else unknown (NotFound)."""
    if Shipment.objects.filter(pk__in=storable_ids(missing)).exists():
        return OutOfScope(
            _("Some of these shipments belong to another station.") if many
            else _("This shipment belongs to another station.")
        )
    return NotFound(_("Some of these shipments do not exist.") if many else _("No shipment has this id."))


def shipment_for_scope(*, scope: Scope, pk: int) -> Shipment:
    """One shipment with its details: NotFound for an unknown id, OutOfScope for another station's."""
    shipment = with_shipment_details(shipments_in_scope(scope)).filter(pk=pk).first()
    if shipment is None:
        raise shipments_refusal([pk])
    return shipment


# --- the station console's shipping pages ---------------------------------------------------------

# The queue's tabs, in the order of the day's work: which statuses each one shows. QC-failed and
# returned shipments need nothing more from the station and are in no tab.
QUEUE_STAGES: dict[str, frozenset[State]] = {
    "collect": frozenset({State.AWAITING_INTAKE}),
    "received": frozenset({State.RECEIVED}),
    "qc_passed": frozenset({State.QC_PASSED}),
    "packed": frozenset({State.PACKED}),
    "with_carrier": frozenset({State.DISPATCHED, State.IN_TRANSIT}),
    "exceptions": frozenset({State.EXCEPTION, State.RETURN_REQUESTED}),
    "delivered": frozenset({State.DELIVERED}),
    # Goods that failed the check or came back: the station hands them back to their farmers.
    "back_to_farmer": frozenset({State.QC_FAILED, State.RETURNED}),
}
RECENTLY_DELIVERED_DAYS = 7  # the "delivered" and "back" tabs show the last week; older ones are in the API
# Chilled and frozen goods waiting at the station: received, and not yet handed to the courier.
WAITING_COLD = Q(storage__in=[Storage.CHILLED, Storage.FROZEN], status__in=AT_STATION, received_at__isnull=False)


def _stage_filter(stage: str, *, now: datetime) -> Q:
    condition = Q(status__in=QUEUE_STAGES[stage])
    if stage == "delivered":
        condition &= Q(delivered_at__gte=now - timedelta(days=RECENTLY_DELIVERED_DAYS))
    elif stage == "back_to_farmer":
        condition &= Q(status_changed_at__gte=now - timedelta(days=RECENTLY_DELIVERED_DAYS))
    return condition


def cold_overdue_filter(*, now: datetime) -> Q:
    """Chilled or frozen goods received more than LOGISTICS_COLD_DISPATCH_HOURS ago and still at the
    station: their shelf life is running out before the buyer has them."""
    return WAITING_COLD & Q(received_at__lte=now - timedelta(hours=settings.LOGISTICS_COLD_DISPATCH_HOURS))


def with_cold_overdue(shipments: QuerySet[Shipment], *, now: datetime) -> QuerySet[Shipment]:
    """Each shipment with `cold_overdue`: True when `cold_overdue_filter` holds for it."""
    return shipments.annotate(
        cold_overdue=Case(When(cold_overdue_filter(now=now), then=Value(True)), default=Value(False),
                          output_field=BooleanField())
    )


def shipment_stage_counts(*, scope: Scope, now: datetime) -> dict[str, int]:
    """How many shipments of the caller's queue are in each tab, and how many cold ones are
    overdue (`cold_overdue`): one query."""
    counts = {stage: Count("pk", filter=_stage_filter(stage, now=now)) for stage in QUEUE_STAGES}
    return shipments_queue(scope).aggregate(**counts, cold_overdue=Count("pk", filter=cold_overdue_filter(now=now)))


def with_shipment_lines(shipments: QuerySet[Shipment]) -> QuerySet[Shipment]:
    """Shipments with their order and lines' goods, for a list: two queries for any number."""
    lines = ShipmentLine.objects.select_related("order_line__product__parent").order_by("id")
    return shipments.select_related("order").prefetch_related(Prefetch("lines", queryset=lines))


def shipments_at_stage(*, scope: Scope, stage: str, now: datetime) -> QuerySet[Shipment]:
    """The caller's shipments in one tab of the queue (`QUEUE_STAGES`), with their lines and the
    `cold_overdue` flag: overdue ones first, then the oldest order first (the newest delivery
    first in the "delivered" tab)."""
    shipments = with_cold_overdue(shipments_queue(scope).filter(_stage_filter(stage, now=now)), now=now)
    order = ("-delivered_at", "-id") if stage == "delivered" else ("-cold_overdue", "paid_at", "id")
    return with_shipment_lines(shipments).order_by(*order)


def shipments_for_scope(*, scope: Scope, pks: Iterable[int]) -> list[int]:
    """The ids of a batch, checked like `shipment_for_scope`: OutOfScope if any is another
    station's, NotFound if any does not exist."""
    pks = set(pks)
    if storable_ids(pks) != pks:
        raise NotFound(_("Some of these shipments do not exist."))
    found = set(shipments_in_scope(scope).filter(pk__in=pks).values_list("pk", flat=True))
    if found != pks:
        raise shipments_refusal(pks - found, many=True)
    return sorted(found)


def shipment_with_history(*, scope: Scope, pk: int, now: datetime) -> Shipment:
    """One shipment for its page: lines with the goods and the households that supplied them,
    events with who made them, and the `cold_overdue` flag. NotFound or OutOfScope as
    `shipment_for_scope`."""
    lines = ShipmentLine.objects.select_related(
        "order_line__product__parent", "order_line__partner__seller__household"
    ).order_by("id")
    events = ShipmentEvent.objects.select_related("by").order_by("at", "id")
    shipment = (
        with_cold_overdue(shipments_in_scope(scope), now=now).select_related("station", "order")
        .prefetch_related(Prefetch("lines", queryset=lines), Prefetch("events", queryset=events))
        .filter(pk=pk).first()
    )
    if shipment is None:
        raise shipments_refusal([pk])
    return shipment


def stage_of(status: str) -> str | None:
    """The queue's tab a shipment in this status is shown in."""
    return next((stage for stage, states in QUEUE_STAGES.items() if status in states), None)


@dataclass
class Pickup:
    """One order line to fetch from a household."""

    shipment_id: int
    order_number: str
    title: str
    quantity: int
    unit: str


@dataclass
class HouseholdPickups:
    """What to fetch from one household (or a cooperative, which has no household of its own)."""

    household_id: int | None
    registry_id: str
    name: str
    phone: str
    township_id: str
    pickups: list[Pickup] = field(default_factory=list)


@dataclass
class VillagePickups:
    village: str
    households: list[HouseholdPickups] = field(default_factory=list)


@dataclass
class Collection:
    villages: list[VillagePickups]
    totals: list[tuple[str, str, int]]  # (title, unit, quantity) per product, most first
    shipments: int


def collection_for_today(*, scope: Scope) -> Collection:
    """Goods to fetch from the farms: the lines of paid shipments awaiting intake, grouped by village
    and household (by registry ID within a village), with totals per product (by title and unit:
    what the clerk counts on the cart). One query."""
    lines = (
        ShipmentLine.objects.filter(shipment__in=shipments_queue(scope).filter(status=State.AWAITING_INTAKE))
        .select_related("shipment__order", "order_line__product__parent", "order_line__partner__seller__household")
        .order_by(
            "order_line__partner__seller__household__village", "order_line__partner__seller__household__registry_id",
            "order_line__partner__name", "shipment__paid_at", "id",
        )
    )
    villages: dict[str, VillagePickups] = {}
    households: dict[tuple, HouseholdPickups] = {}
    totals: dict[tuple, int] = {}
    shipments = set()
    for line in lines:
        order_line = line.order_line
        household = line.household
        village = household.village if household else ""
        key = (village, household.pk if household else order_line.partner_name)
        if key not in households:
            households[key] = HouseholdPickups(
                household_id=household.pk if household else None,
                registry_id=household.registry_id if household else "",
                name=household.head_name if household else order_line.partner_name,
                phone=household.phone if household else "",
                township_id=household.township_id if household else "",
            )
            villages.setdefault(village, VillagePickups(village=village)).households.append(households[key])
        product = order_line.product
        title = product.get_title() if product else order_line.title
        unit = product.display_unit if product else ""
        households[key].pickups.append(Pickup(
            shipment_id=line.shipment_id, order_number=line.shipment.order.number, title=title,
            quantity=order_line.quantity, unit=unit,
        ))
        totals[(title, unit)] = totals.get((title, unit), 0) + order_line.quantity
        shipments.add(line.shipment_id)
    ranked = sorted(((title, unit, n) for (title, unit), n in totals.items()), key=lambda t: (-t[2], t[0]))
    # In the order of a Chinese list (by pinyin); goods of cooperatives, which have no village, last.
    ordered = sorted(villages.values(), key=lambda v: (not v.village, lazy_pinyin(v.village)))
    return Collection(villages=ordered, totals=ranked, shipments=len(shipments))
