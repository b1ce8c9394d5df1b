"""Settled money for households, the quick way (an operator's adjustment moves the settled
balance as a settlement does), and a manager for the Poji station, for the payout tests."""

from decimal import Decimal
from itertools import count

from django.db import transaction

from impact.services import adjustment_record
from logistics.models import Station, StationRole
from logistics.services import station_member_add
from sellers.factories import HouseholdFactory
from shop.factories import UserFactory
from shop.models import Division
from tests.personas import MIAOBA

_keys = count(1)


def operator():
    return UserFactory(username="operator", is_staff=True, is_superuser=True)


def settled_money(household, amount: str) -> None:
    """Add `amount` (may be negative: a settled sale returned) to the household's settled balance."""
    with transaction.atomic():
        adjustment_record(household=household, amount=Decimal(amount), reason="test money", approved_by=operator(),
                          key=f"test-{household.pk}-{next(_keys)}")


def household_owed(amount: str, *, township=MIAOBA, **fields):
    household = HouseholdFactory(township=Division.objects.get(code=township), consent_to_sell=True, **fields)
    settled_money(household, amount)
    return household


def poji_manager():
    manager = UserFactory(username="manager_poji")
    station_member_add(station=Station.objects.get(code="ZX-POJI"), user=manager, role=StationRole.MANAGER)
    return manager
