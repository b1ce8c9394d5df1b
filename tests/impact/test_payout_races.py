"""Two managers preparing a payout batch at the same moment (PostgreSQL): the money goes into
one batch only, and the other is told there is nothing left to pay; two marking one batch paid:
it is paid once. Preparing locks the
township's balance rows before it reads what prepared batches hold; without the lock both
managers read "nothing in a batch yet" and both batch the same yuan."""

import os
from decimal import Decimal

import pytest
from django.db import transaction

from impact.models import EntryKind, HouseholdBalance, LedgerEntry, PayoutLine
from impact.payouts import payout_batch_mark_paid, payout_batch_prepare
from logistics.models import Station, StationRole
from logistics.services import station_member_add
from shop.core.errors import IllegalState, InvalidInput
from shop.factories import UserFactory
from tests.impact.money import household_owed
from tests.threads import run_together

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="row locks are a PostgreSQL feature (SQLite serialises writers); CI runs this on PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_two_managers_preparing_at_once_put_the_money_in_one_batch(people):
    station = Station.objects.get(code="YJ-MIAOBA")
    second_manager = UserFactory(username="manager_miaoba_2")
    station_member_add(station=station, user=second_manager, role=StationRole.MANAGER)
    households = [household_owed(amount) for amount in ("120.00", "35.50", "8.00")]
    outcomes = []

    def manager(user):
        def prepare():
            try:
                with transaction.atomic():
                    outcomes.append(payout_batch_prepare(station=station, by=user).pk)
            except InvalidInput:
                outcomes.append("nothing left")
        return prepare

    assert run_together(manager(people.manager_miaoba), manager(second_manager)) == []

    assert sorted(outcomes, key=str).count("nothing left") == 1
    lines = PayoutLine.objects.order_by("household_id")
    assert [(line.household_id, line.amount) for line in lines] == [
        (h.pk, Decimal(a)) for h, a in zip(households, ("120.00", "35.50", "8.00"), strict=True)
    ]
    assert {line.batch_id for line in lines} == {o for o in outcomes if o != "nothing left"}


def test_two_managers_marking_one_batch_paid_at_once_pay_it_once(people):
    station = Station.objects.get(code="YJ-MIAOBA")
    second_manager = UserFactory(username="manager_miaoba_2")
    station_member_add(station=station, user=second_manager, role=StationRole.MANAGER)
    household_owed("120.00")
    with transaction.atomic():
        batch = payout_batch_prepare(station=station, by=people.manager_miaoba)
    outcomes = []

    def manager(user, reference):
        def pay():
            try:
                with transaction.atomic():
                    payout_batch_mark_paid(batch=batch, by=user, bank_reference=reference)
                outcomes.append(reference)
            except IllegalState:
                outcomes.append("refused")
        return pay

    assert run_together(manager(people.manager_miaoba, "A"), manager(second_manager, "B")) == []

    assert outcomes.count("refused") == 1
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYOUT).count() == 1
    assert HouseholdBalance.objects.get(household__payout_lines__batch=batch).paid_out == Decimal("120.00")
