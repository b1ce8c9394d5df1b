"""Reads of shipments: the station's queue, settlement, the public trace."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from logistics.access import Scope
from logistics.models import Shipment, ShipmentEvent, ShipmentLine, ShipmentStatus
from shop.core.errors import NotFound, OutOfScope


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


def shipment_for_scope(*, scope: Scope, pk: int) -> Shipment:
    """One shipment with its details: NotFound for an unknown id, OutOfScope for another station's."""
    shipment = with_shipment_details(shipments_in_scope(scope)).filter(pk=pk).first()
    if shipment is not None:
        return shipment
    if Shipment.objects.filter(pk=pk).exists():
        raise OutOfScope(_("This shipment belongs to another station."))
    raise NotFound(_("No shipment has this id."))
