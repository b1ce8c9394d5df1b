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
