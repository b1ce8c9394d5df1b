from django.db import transaction

from logistics.models import Station, StationMembership, StationRole
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


def shipments_create_for_order(*, order) -> list:
    """One shipment per station: each order line goes to the station of its seller's township.
    Lines of partners that are not sellers (the platform's own stock) ship from the platform."""
    from django.utils.translation import gettext as _
    from oscar.apps.order.exceptions import UnableToPlaceOrder

    from logistics.models import Shipment, ShipmentLine

    lines = [line for line in order.lines.select_related("partner__seller") if hasattr(line.partner, "seller")]
    townships = {line.partner.seller.township_id for line in lines}
    stations = {}
    for station in Station.objects.filter(township_id__in=townships, is_active=True).order_by("id"):
        stations.setdefault(station.township_id, station)
    shipments = {}
    for line in lines:
        station = stations.get(line.partner.seller.township_id)
        if station is None:
            raise UnableToPlaceOrder(_("No station ships goods from this seller's township yet."))
        if station.pk not in shipments:
            shipments[station.pk] = Shipment.objects.create(order=order, station=station)
        ShipmentLine.objects.create(shipment=shipments[station.pk], order_line=line)
    return list(shipments.values())
