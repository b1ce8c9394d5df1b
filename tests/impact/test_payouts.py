"""Payout batches: prepared from settled money not yet in a batch, paid once into `payout`
entries (settled → paid out) with a text to each household, or cancelled while prepared."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import translation

from impact.models import EntryKind, HouseholdBalance, LedgerEntry, PayoutBatch, PayoutStatus
from impact.notifications import payout_text
from impact.payout_selectors import payables_for_township
from impact.payouts import payout_batch_cancel, payout_batch_mark_paid, payout_batch_prepare
from logistics.models import Station
from logistics.states import State
from shop.core.errors import IllegalState, InvalidInput, OutOfScope
from shop.order.settlement import shipment_settle
from tests.impact.money import household_owed, poji_manager, settled_money
from tests.personas import A_DAY_IN_2026, MIAOBA, POJI
from tests.shipping import moved_to, paid_shipment

pytestmark = pytest.mark.django_db


@pytest.fixture
def miaoba(people):
    return Station.objects.get(code="YJ-MIAOBA")


def prepare(station, by):
    with transaction.atomic():
        return payout_batch_prepare(station=station, by=by)


def mark_paid(batch, by, reference="BANK-0001"):
    with transaction.atomic():
        return payout_batch_mark_paid(batch=batch, by=by, bank_reference=reference)


def lines_of(batch) -> dict:
    return {line.household_id: line.amount for line in batch.lines.all()}


def balance(household) -> tuple:
    row = HouseholdBalance.objects.get(household=household)
    return row.pending, row.settled, row.paid_out


# Preparing ------------------------------------------------------------------------------------


def test_it_puts_each_owed_household_of_the_township_in_one_line(people, miaoba):
    a, b = household_owed("120.00"), household_owed("35.50")
    household_owed("80.00", township=POJI)

    batch = prepare(miaoba, people.manager_miaoba)

    assert lines_of(batch) == {a.pk: Decimal("120.00"), b.pk: Decimal("35.50")}
    assert {line.bank_account for line in batch.lines.all()} == {a.bank_account, b.bank_account}
    assert (batch.status, batch.station, batch.prepared_by) == (PayoutStatus.PREPARED, miaoba, people.manager_miaoba)


def test_it_pays_only_settled_money_not_sales_still_pending(people, miaoba):
    pending = paid_shipment()  # paid, not delivered: its household's money is pending
    settled = moved_to(paid_shipment(), State.DELIVERED)
    with transaction.atomic():
        shipment_settle(shipment=settled)
    paid_household = settled.lines.get().household
    owed = HouseholdBalance.objects.get(household=paid_household).settled

    batch = prepare(miaoba, people.manager_miaoba)

    assert owed > 0 and lines_of(batch) == {paid_household.pk: owed}
    assert pending.lines.get().household.pk not in lines_of(batch)


def test_it_leaves_out_households_without_a_bank_account_and_names_them(people, miaoba):
    with_account, without = household_owed("50.00"), household_owed("20.00", bank_account="")

    batch = prepare(miaoba, people.manager_miaoba)

    assert lines_of(batch) == {with_account.pk: Decimal("50.00")}
    assert batch.skipped == [without]
    waiting = payables_for_township(township_code=MIAOBA)
    assert [(p.household, p.amount, p.has_account) for p in waiting] == [(without, Decimal("20.00"), False)]


def test_it_refuses_a_batch_with_nothing_to_pay(people, miaoba):
    with translation.override("en"), pytest.raises(InvalidInput, match="No household"):
        prepare(miaoba, people.manager_miaoba)
    assert not PayoutBatch.objects.exists()


def test_it_refuses_a_batch_when_only_households_without_an_account_are_owed(people, miaoba):
    household_owed("20.00", bank_account="")
    household_owed("30.00", bank_account="  ")

    with pytest.raises(InvalidInput, match="2"):
        prepare(miaoba, people.manager_miaoba)
    assert not PayoutBatch.objects.exists()


def test_a_second_batch_carries_only_money_not_in_the_first(people, miaoba):
    household = household_owed("100.00")
    first = prepare(miaoba, people.manager_miaoba)
    settled_money(household, "25.00")

    second = prepare(miaoba, people.manager_miaoba)

    assert (lines_of(first), lines_of(second)) == ({household.pk: Decimal("100.00")}, {household.pk: Decimal("25.00")})
    with pytest.raises(InvalidInput):
        prepare(miaoba, people.manager_miaoba)


def test_a_household_owed_nothing_after_a_settled_sale_was_returned_is_left_out(people, miaoba):
    owed, returned = household_owed("40.00"), household_owed("30.00")
    settled_money(returned, "-30.00")

    assert lines_of(prepare(miaoba, people.manager_miaoba)) == {owed.pk: Decimal("40.00")}


@pytest.mark.parametrize("persona", ["clerk_miaoba", "manager_poji"])
def test_only_a_manager_of_the_station_may_prepare_its_batch(people, miaoba, persona):
    household_owed("40.00")
    user = poji_manager() if persona == "manager_poji" else getattr(people, persona)

    with pytest.raises(OutOfScope):
        prepare(miaoba, user)
    assert not PayoutBatch.objects.exists()


# Paying ---------------------------------------------------------------------------------------


def test_paying_writes_one_payout_entry_per_line_and_moves_settled_to_paid_out(people, miaoba):
    a, b = household_owed("120.00"), household_owed("35.50")
    batch = prepare(miaoba, people.manager_miaoba)

    paid = mark_paid(batch, people.manager_miaoba, reference=" ICBC 2026-0615-77 ")

    entries = LedgerEntry.objects.filter(kind=EntryKind.PAYOUT).order_by("id")
    assert [(e.household_id, e.amount, e.payout_line.batch_id) for e in entries] == [
        (line.household_id, -line.amount, batch.pk) for line in batch.lines.order_by("id")
    ]
    assert balance(a) == (Decimal("0.00"), Decimal("0.00"), Decimal("120.00"))
    assert balance(b) == (Decimal("0.00"), Decimal("0.00"), Decimal("35.50"))
    paid.refresh_from_db()
    assert (paid.status, paid.paid_by, paid.bank_reference) == (PayoutStatus.PAID, people.manager_miaoba,
                                                                "ICBC 2026-0615-77")
    assert paid.paid_at is not None


def test_a_second_payment_of_the_batch_is_refused_and_writes_nothing(people, miaoba):
    household = household_owed("60.00")
    batch = prepare(miaoba, people.manager_miaoba)
    mark_paid(batch, people.manager_miaoba)

    with translation.override("en"), pytest.raises(IllegalState, match="already"):
        mark_paid(batch, people.manager_miaoba, reference="BANK-0002")

    assert LedgerEntry.objects.filter(kind=EntryKind.PAYOUT).count() == 1
    assert balance(household)[1:] == (Decimal("0.00"), Decimal("60.00"))
    batch.refresh_from_db()
    assert batch.bank_reference == "BANK-0001"


def test_paid_money_is_not_in_the_next_batch(people, miaoba):
    household = household_owed("60.00")
    mark_paid(prepare(miaoba, people.manager_miaoba), people.manager_miaoba)
    settled_money(household, "15.00")

    assert lines_of(prepare(miaoba, people.manager_miaoba)) == {household.pk: Decimal("15.00")}


def test_paying_is_refused_whole_when_a_household_has_less_settled_than_its_line(people, miaoba):
    kept, returned = household_owed("50.00"), household_owed("80.00")
    batch = prepare(miaoba, people.manager_miaoba)
    settled_money(returned, "-30.00")  # a settled sale came back after the batch was prepared

    with pytest.raises(InvalidInput) as refused:
        mark_paid(batch, people.manager_miaoba)

    assert returned.registry_id in refused.value.message and kept.registry_id not in refused.value.message
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYOUT).exists()
    batch.refresh_from_db()
    assert batch.status == PayoutStatus.PREPARED


@pytest.mark.parametrize("reference", ["", "   ", "x" * 65])
def test_paying_needs_the_banks_reference(people, miaoba, reference):
    household_owed("60.00")
    batch = prepare(miaoba, people.manager_miaoba)

    with pytest.raises(InvalidInput) as refused:
        mark_paid(batch, people.manager_miaoba, reference=reference)

    assert "bank_reference" in refused.value.fields
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYOUT).exists()


def test_a_clerk_cannot_mark_a_batch_paid(people, miaoba):
    household_owed("60.00")
    batch = prepare(miaoba, people.manager_miaoba)

    with pytest.raises(OutOfScope):
        mark_paid(batch, people.clerk_miaoba)
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYOUT).exists()


@pytest.mark.time_machine(A_DAY_IN_2026, tick=False)
def test_each_household_is_texted_its_payout_once_the_payment_commits(
    people, miaoba, sms_outbox, django_capture_on_commit_callbacks
):
    household = household_owed("128.00", bank_account="6217000011112222", phone="13812345678")
    batch = prepare(miaoba, people.manager_miaoba)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        mark_paid(batch, people.manager_miaoba)
    assert sms_outbox == []  # nothing before the commit
    for callback in queued:
        callback()

    assert sms_outbox == [("13812345678", "乌蒙优选：货款 ¥128.00 已于 2026年6月15日 转入您尾号 2222 的银行账户。")]
    assert household.phone == "13812345678"


def test_no_household_is_texted_when_the_payment_is_refused(
    people, miaoba, sms_outbox, django_capture_on_commit_callbacks
):
    household_owed("60.00")
    batch = prepare(miaoba, people.manager_miaoba)
    mark_paid(batch, people.manager_miaoba)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(IllegalState):
        mark_paid(batch, people.manager_miaoba)
    assert sms_outbox == []


def test_the_text_gives_the_amount_the_last_digits_of_the_account_and_the_day():
    from datetime import date

    text = payout_text(amount=Decimal("5.00"), bank_account="6228480012345678", day=date(2026, 1, 2))
    assert text == "乌蒙优选：货款 ¥5.00 已于 2026年1月2日 转入您尾号 5678 的银行账户。"


# Cancelling -----------------------------------------------------------------------------------


def test_cancelling_a_prepared_batch_frees_its_money_for_the_next(people, miaoba):
    household = household_owed("60.00")
    batch = prepare(miaoba, people.manager_miaoba)

    with transaction.atomic():
        payout_batch_cancel(batch=batch, by=people.manager_miaoba)

    assert not PayoutBatch.objects.filter(pk=batch.pk).exists()
    assert lines_of(prepare(miaoba, people.manager_miaoba)) == {household.pk: Decimal("60.00")}


def test_a_paid_batch_cannot_be_cancelled(people, miaoba):
    household_owed("60.00")
    batch = mark_paid(prepare(miaoba, people.manager_miaoba), people.manager_miaoba)

    with pytest.raises(IllegalState), transaction.atomic():
        payout_batch_cancel(batch=batch, by=people.manager_miaoba)
    assert PayoutBatch.objects.filter(pk=batch.pk, status=PayoutStatus.PAID).exists()


def test_a_cancelled_batch_cannot_be_paid(people, miaoba):
    household_owed("60.00")
    batch = prepare(miaoba, people.manager_miaoba)
    with transaction.atomic():
        payout_batch_cancel(batch=batch, by=people.manager_miaoba)

    with translation.override("en"), pytest.raises(IllegalState, match="cancelled"):
        mark_paid(batch, people.manager_miaoba)
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYOUT).exists()
