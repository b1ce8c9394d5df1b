"""The people of the permission tests: clerks of two townships, a station manager,
a county and a city official, a buyer. Shared by the console and browser tests."""

from dataclasses import dataclass

from logistics.models import StationRole
from logistics.services import station_ensure, station_member_add
from sellers.factories import HouseholdFactory
from shop.factories import UserFactory
from shop.models import Division
from shop.services import divisions_load, official_scope_grant

MIAOBA = "530623105"
POJI = "530627102"


@dataclass
class Cast:
    clerk_miaoba: object
    manager_miaoba: object
    clerk_poji: object
    official_yanjin: object
    official_zhaotong: object
    buyer: object
    household_miaoba: object
    household_poji: object


def cast() -> Cast:
    divisions_load()
    miaoba = station_ensure(code="YJ-MIAOBA", township=Division.objects.get(code=MIAOBA), name="庙坝镇电商服务站",
                            address="庙坝镇", phone="0870-1", cold_chain=True)
    poji = station_ensure(code="ZX-POJI", township=Division.objects.get(code=POJI), name="泼机镇电商服务站",
                          address="泼机镇", phone="0870-2", cold_chain=False)
    clerk_miaoba = UserFactory(username="clerk_miaoba")
    station_member_add(station=miaoba, user=clerk_miaoba)
    manager_miaoba = UserFactory(username="manager_miaoba")
    station_member_add(station=miaoba, user=manager_miaoba, role=StationRole.MANAGER)
    clerk_poji = UserFactory(username="clerk_poji")
    station_member_add(station=poji, user=clerk_poji)
    official_yanjin = UserFactory(username="official_yanjin")
    official_scope_grant(user=official_yanjin, region=Division.objects.get(code="530623"))
    official_zhaotong = UserFactory(username="official_zhaotong")
    official_scope_grant(user=official_zhaotong, region=Division.objects.get(code="530600"))
    return Cast(
        clerk_miaoba=clerk_miaoba, manager_miaoba=manager_miaoba, clerk_poji=clerk_poji,
        official_yanjin=official_yanjin, official_zhaotong=official_zhaotong, buyer=UserFactory(username="buyer"),
        household_miaoba=HouseholdFactory(township=Division.objects.get(code=MIAOBA), consent_to_sell=True),
        household_poji=HouseholdFactory(township=Division.objects.get(code=POJI), consent_to_sell=True),
    )
