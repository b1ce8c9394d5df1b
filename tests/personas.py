"""The people of the permission tests: clerks of two townships, a station manager,
a county and a city official, a buyer. Shared by the console and browser tests. And the
day the tests that depend on "this year" live in."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from logistics.models import StationRole
from logistics.services import station_ensure, station_member_add
from sellers.factories import HouseholdFactory
from shop.factories import UserFactory
from shop.models import Division
from shop.services import divisions_load, official_scope_grant

# Where the registry is, and a fixed day there: `@pytest.mark.time_machine(A_DAY_IN_2026, tick=False)`
# on every test whose outcome depends on the date (sales this year, the registry's current year).
CHINA = ZoneInfo("Asia/Shanghai")
A_DAY_IN_2026 = datetime(2026, 6, 15, 10, 0, tzinfo=CHINA)

ZHAOTONG = "530600"
YANJIN = "530623"
MIAOBA = "530623105"  # a township of Yanjin county
POJI = "530627102"  # a township of Zhenxiong county


def divisions_ensure() -> None:
    """The real divisions, unless they are there already (one cheap query): the fixture
    `divisions` loads them once per run; this brings them back after a flush."""
    if not Division.objects.filter(code=ZHAOTONG).exists():
        divisions_load()


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
    """The people and their two households. Request the `divisions` fixture (or `people`, which
    does): the real divisions are then loaded once per run, not once per cast."""
    divisions_ensure()
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
    official_scope_grant(user=official_yanjin, region=Division.objects.get(code=YANJIN))
    official_zhaotong = UserFactory(username="official_zhaotong")
    official_scope_grant(user=official_zhaotong, region=Division.objects.get(code=ZHAOTONG))
    return Cast(
        clerk_miaoba=clerk_miaoba, manager_miaoba=manager_miaoba, clerk_poji=clerk_poji,
        official_yanjin=official_yanjin, official_zhaotong=official_zhaotong, buyer=UserFactory(username="buyer"),
        household_miaoba=HouseholdFactory(township=Division.objects.get(code=MIAOBA), consent_to_sell=True),
        household_poji=HouseholdFactory(township=Division.objects.get(code=POJI), consent_to_sell=True),
    )
