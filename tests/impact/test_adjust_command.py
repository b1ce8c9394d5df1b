"""The operator's adjustment, from the command line: recorded with its reason and approver, once
per key, refused without a reason or by someone who is not an operator."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from impact.models import EntryKind, HouseholdBalance, LedgerEntry
from shop.factories import UserFactory

pytestmark = pytest.mark.django_db


def adjust(*args):
    call_command("impact_adjust", *args, stdout=StringIO())


@pytest.fixture
def operator(db):
    return UserFactory(username="operator", is_staff=True)


def test_it_records_the_adjustment_with_its_reason_and_approver(people, operator):
    household = people.household_miaoba

    adjust(household.registry_id, "12.50", "--reason", "运费重复扣除", "--approved-by", "operator", "--key", "k1")

    (entry,) = LedgerEntry.objects.filter(kind=EntryKind.ADJUSTMENT)
    assert (entry.household, entry.amount, entry.reason, entry.approved_by) == (
        household, Decimal("12.50"), "运费重复扣除", operator
    )
    assert HouseholdBalance.objects.get(household=household).settled == Decimal("12.50")


def test_the_same_key_adjusts_once(people, operator):
    for _attempt in range(2):
        adjust(people.household_miaoba.registry_id, "5.00", "--reason", "x", "--approved-by", "operator", "--key", "k2")

    assert LedgerEntry.objects.filter(kind=EntryKind.ADJUSTMENT).count() == 1


def test_someone_who_is_not_an_operator_cannot_approve_it(people):
    with pytest.raises(CommandError):
        adjust(people.household_miaoba.registry_id, "5.00", "--reason", "x", "--approved-by", people.clerk_miaoba.username)

    assert not LedgerEntry.objects.filter(kind=EntryKind.ADJUSTMENT).exists()


def test_a_blank_reason_is_refused(people, operator):
    with pytest.raises(CommandError):
        adjust(people.household_miaoba.registry_id, "5.00", "--reason", "  ", "--approved-by", "operator")

    assert not LedgerEntry.objects.filter(kind=EntryKind.ADJUSTMENT).exists()


@pytest.mark.parametrize("amount", ["abc", "NaN", "0", "1.005"])
def test_an_amount_that_is_not_yuan_to_the_fen_is_refused(people, operator, amount):
    with pytest.raises(CommandError):
        adjust(people.household_miaoba.registry_id, amount, "--reason", "x", "--approved-by", "operator")
