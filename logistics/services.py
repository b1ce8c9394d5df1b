from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.apps.order.exceptions import UnableToPlaceOrder

from logistics.models import (
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    Station,
    StationMembership,
    StationRole,
    Storage,
)
from logistics.selectors import stations_by_township
from logistics.states import AT_STATION
from shop.models import Division


@transaction.atomic
def station_ensure(
    *, code: str, township: Division, name: str, name_en: str = "", address: str, phone: str, cold_chain: bool
) -> Station:
    station, _created = Station.objects.update_or_create(
        code=code,
        defaults={
            "township": township,
            "name": name,
            "name_en": name_en,
            "address": address,
            "phone": phone,
            "cold_chain": cold_chain,
        },
    )
    return station


def station_member_add(*, station: Station, user, role: str = StationRole.STAFF) -> StationMembership:
    membership, _created = StationMembership.objects.update_or_create(
        station=station, user=user, defaults={"role": role}
    )
    return membership


def shipments_create_for_order(*, order, paid: bool = False) -> list:
    """One shipment per station: each order line goes to the station of its seller's township.
    Lines of partners that are not sellers (the platform's own stock) ship from the platform.
    `paid`: the money is already in, so the shipments join their stations' queues now."""
    # At placement the lines and their sellers are already in memory (see OrderCreator):
    # the prefetch then costs nothing; elsewhere it loads them in two queries.
    lines = list(order.lines.all())
    prefetch_related_objects(lines, "partner__seller")
    lines = [line for line in lines if hasattr(line.partner, "seller")]
    stations = stations_by_township(line.partner.seller.township_id for line in lines)
    shipments, line_station = {}, []
    for line in lines:
        station = stations.get(line.partner.seller.township_id)
        if station is None:
            raise UnableToPlaceOrder(_("No station ships goods from this seller's township yet."))
        shipment = shipments.setdefault(
            station.pk, Shipment(order=order, station=station, paid_at=timezone.now() if paid else None)
        )
        if line.product is not None:
            shipment.storage = colder(shipment.storage, line.product.storage)
            shipment.fresh = shipment.fresh or is_fresh(line.product)
        line_station.append((line, station.pk))
    for shipment in shipments.values():
        shipment.delivery_charge = shipment.station.shipping_charge + (
            shipment.station.cold_chain_surcharge if shipment.needs_cold_chain else Decimal("0.00")
        )
    Shipment.objects.bulk_create(shipments.values())
    ShipmentLine.objects.bulk_create(
        ShipmentLine(shipment=shipments[station_pk], order_line=line) for line, station_pk in line_station
    )
    return list(shipments.values())


def is_fresh(product) -> bool:
    """Fresh food gets the short return window: anything kept cold, or that keeps for a few weeks at most."""
    days = product.shelf_life_days
    return product.storage != Storage.AMBIENT or (days is not None and days <= settings.LOGISTICS_FRESH_SHELF_LIFE_DAYS)


COLDNESS = {Storage.AMBIENT: 0, Storage.CHILLED: 1, Storage.FROZEN: 2}


def colder(a: str, b: str) -> str:
    """A parcel travels as cold as its coldest goods."""
    return max(a, b, key=lambda storage: COLDNESS[storage])


def shipments_mark_paid(*, order) -> int:
    """The order's money arrived: its shipments join their stations' queues."""
    return Shipment.objects.filter(order=order, paid_at__isnull=True).update(paid_at=timezone.now())


def shipments_mark_cancelled(*, order) -> int:
    """The order was cancelled (refunded in full): shipments still at the station stop there and
    leave the queue; goods already taken in go back to their farmers. Parcels with the courier
    are not recalled here: they come back as returns."""
    return Shipment.objects.filter(order=order, cancelled_at__isnull=True, status__in=AT_STATION).update(
        cancelled_at=timezone.now()
    )


def shipment_mark_settled(*, shipment: Shipment) -> bool:
    """The return window closed on a delivered shipment. False if it was settled already (a retried
    task), so the caller credits nothing twice."""
    return bool(
        Shipment.objects.filter(pk=shipment.pk, settled_at__isnull=True, status=ShipmentStatus.DELIVERED).update(
            settled_at=timezone.now()
        )
    )
