"""Paying households their settled money: a station manager prepares a batch, sends the bank
the file of it, and marks it paid once the bank has transferred; only then does each line
become a `payout` entry in the ledger (`impact.services.payouts_record`).

A prepared batch holds money without moving it: the ledger does not know of it, so it can be
cancelled (deleted) freely. What keeps two batches from carrying the same yuan is that
preparing locks the township's balance rows (in id order, so two managers preparing at once
queue up instead of deadlocking) before it reads what prepared batches already hold: the
second manager reads the first one's batch once it has committed, and finds nothing left."""

import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from impact.models import ZERO, HouseholdBalance, PayoutBatch, PayoutLine, PayoutStatus
from impact.payout_selectors import payables, settled_balances
from impact.services import payouts_record
from impact.tasks import sms_households_paid
from logistics.access import scope_for
from sellers.masking import mask_name
from shop.core.errors import IllegalState, InvalidInput, OutOfScope

logger = logging.getLogger(__name__)

BANK_REFERENCE_MAX = PayoutBatch._meta.get_field("bank_reference").max_length


def _refuse_unless_manager(*, by, station) -> None:
    if not scope_for(by).manages(station.township_id):
        raise OutOfScope(_("Only a manager of this station may handle its payouts."))


@transaction.atomic
def payout_batch_prepare(*, station, by, minimum: Decimal = Decimal("0.01")) -> PayoutBatch:
    """A batch of one line per household of the station's township owed at least `minimum`
    (settled, and not in another prepared batch) with a bank account to pay into. Households
    without an account are left out: `batch.skipped` lists them (the page asks for their
    accounts). A batch with nothing to pay is refused (InvalidInput)."""
    _refuse_unless_manager(by=by, station=station)
    # Locked before what prepared batches hold is read (see the module's docstring); `of`: the
    # households stay free for the clerks to edit meanwhile.
    balances = list(
        settled_balances(township_code=station.township_id, minimum=minimum)
        .select_for_update(of=("self",)).order_by("household_id")
    )
    owed = payables(balances, minimum=minimum)
    paid = [p for p in owed if p.has_account]
    skipped = [p.household for p in owed if not p.has_account]
    if not paid:
        message = _("No household of this township has settled money waiting to be paid.")
        if skipped:
            message = ngettext(
                "%(n)s household has money waiting but no bank account: add it on the household's page first.",
                "%(n)s households have money waiting but no bank account: add them on the households' pages first.",
                len(skipped),
            ) % {"n": len(skipped)}
        raise InvalidInput(message)
    batch = PayoutBatch.objects.create(station=station, prepared_by=by)
    PayoutLine.objects.bulk_create([
        PayoutLine(batch=batch, household=p.household, amount=p.amount, bank_account=p.household.bank_account.strip())
        for p in sorted(paid, key=lambda p: p.household.registry_id)
    ])
    batch.skipped = skipped
    logger.info("Payout batch %s prepared by user %s: %s lines.", batch.pk, by.pk, len(paid))
    return batch


def _locked(batch) -> PayoutBatch:
    locked = PayoutBatch.objects.select_for_update(of=("self",)).select_related("station").filter(pk=batch.pk).first()
    if locked is None:
        raise IllegalState(_("This payout batch was cancelled."))
    return locked


@transaction.atomic
def payout_batch_mark_paid(*, batch, by, bank_reference: str, at=None) -> PayoutBatch:
    """The bank has transferred the batch: it becomes PAID (once) with the bank's reference, each
    line a `payout` entry moving the household's money from settled to paid out, and each
    household is texted once the transaction commits. Refused whole if a line is now more than
    its household's settled balance (a return reversed a settled sale since it was prepared)."""
    reference = " ".join((bank_reference or "").split())
    if not reference:
        raise InvalidInput(_("Enter the bank's reference for this transfer."),
                           fields={"bank_reference": [_("Enter the bank's reference for this transfer.")]})
    if len(reference) > BANK_REFERENCE_MAX:
        message = _("The bank reference has at most %(n)s characters.") % {"n": BANK_REFERENCE_MAX}
        raise InvalidInput(message, fields={"bank_reference": [message]})
    batch = _locked(batch)
    _refuse_unless_manager(by=by, station=batch.station)
    if batch.status != PayoutStatus.PREPARED:
        raise IllegalState(_("This batch was marked paid already, on %(day)s (bank reference %(ref)s).") % {
            "day": timezone.localtime(batch.paid_at).strftime("%Y-%m-%d"), "ref": batch.bank_reference})
    lines = list(batch.lines.select_related("household").order_by("id"))
    settled = dict(
        HouseholdBalance.objects.select_for_update().filter(household_id__in=[line.household_id for line in lines])
        # In household order, as the ledger's own upserts take these rows: no deadlock between them.
        .order_by("household_id").values_list("household_id", "settled")
    )
    short = [line for line in lines if line.amount > settled.get(line.household_id, ZERO)]
    if short:
        raise InvalidInput(_(
            "Some households have less settled money than this batch pays them (a sale was returned since): "
            "%(households)s. Cancel this batch and prepare a new one."
        ) % {"households": "; ".join(
            _("%(id)s %(name)s: ¥%(amount)s in the batch, ¥%(settled)s settled") % {
                "id": line.household.registry_id, "name": mask_name(line.household.head_name),
                "amount": line.amount, "settled": settled.get(line.household_id, ZERO),
            } for line in short
        )})
    at = at or timezone.now()
    batch.status, batch.paid_by, batch.paid_at, batch.bank_reference = PayoutStatus.PAID, by, at, reference
    batch.save(update_fields=["status", "paid_by", "paid_at", "bank_reference"])
    payouts_record(payout_lines=lines, at=at)
    batch_id = batch.pk
    # `robust`: a broker that is down loses the texts, not the committed payment.
    transaction.on_commit(lambda: sms_households_paid.delay(batch_id), robust=True)
    logger.info("Payout batch %s marked paid by user %s.", batch.pk, by.pk)
    return batch


@transaction.atomic
def payout_batch_cancel(*, batch, by) -> None:
    """A prepared batch is dropped (it wrote nothing to the ledger), freeing its money for the
    next batch. A paid one cannot be: its payouts are in the ledger."""
    batch = _locked(batch)
    _refuse_unless_manager(by=by, station=batch.station)
    if batch.status != PayoutStatus.PREPARED:
        raise IllegalState(_("A paid batch cannot be cancelled: its payouts are in the ledger."))
    batch_id = batch.pk
    batch.delete()  # its lines go with it
    logger.info("Payout batch %s cancelled by user %s.", batch_id, by.pk)
