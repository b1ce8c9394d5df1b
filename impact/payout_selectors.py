"""Reads for the station's payouts: its batches, a batch's lines, and the households with
settled money not yet in a batch (those with a bank account, and those still without one).

What a household may be paid is its settled balance less what is already in a prepared
(unpaid) batch, of any station: two batches must never carry the same yuan. The scope is the
console's (`logistics.access.Scope`): a batch belongs to its station's township."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from impact.models import ZERO, HouseholdBalance, PayoutBatch, PayoutLine, PayoutStatus
from logistics.access import Scope
from logistics.models import Station, StationRole
from shop.core.errors import NotFound, OutOfScope
from shop.core.ids import storable_ids


@dataclass(frozen=True)
class Payable:
    """A household's settled money not yet in a batch."""

    household: object  # sellers.Household
    settled: Decimal
    in_batches: Decimal

    @property
    def amount(self) -> Decimal:
        return self.settled - self.in_batches

    @property
    def has_account(self) -> bool:
        return bool(self.household.bank_account.strip())


def stations_managed(*, user) -> list[Station]:
    """The active stations the user manages: where they may prepare and pay batches."""
    return list(
        Station.objects.filter(memberships__user=user, memberships__role=StationRole.MANAGER, is_active=True)
        .select_related("township").order_by("code")
    )


def in_prepared_batches(*, household_ids) -> dict[int, Decimal]:
    """{household id: amount} in prepared (unpaid) batches of any station."""
    return dict(
        PayoutLine.objects.filter(batch__status=PayoutStatus.PREPARED, household_id__in=list(household_ids))
        .values("household_id").annotate(total=Sum("amount")).values_list("household_id", "total")
    )


def payables(balances, *, minimum: Decimal = Decimal("0.01")) -> list[Payable]:
    """The households of `balances` (HouseholdBalance rows, household loaded) owed at least
    `minimum` beyond what prepared batches already carry."""
    balances = list(balances)
    held = in_prepared_batches(household_ids=[b.household_id for b in balances])
    found = [Payable(household=b.household, settled=b.settled, in_batches=held.get(b.household_id, ZERO))
             for b in balances]
    return [p for p in found if p.amount >= minimum]


def settled_balances(*, township_code: str, minimum: Decimal = Decimal("0.01")):
    """The balances of a township's households with at least `minimum` settled, households loaded."""
    return HouseholdBalance.objects.filter(
        household__township_id=township_code, settled__gte=minimum
    ).select_related("household")


def payables_for_township(*, township_code: str, minimum: Decimal = Decimal("0.01")) -> list[Payable]:
    """The households of a township with settled money not yet in a batch, by registry ID (two
    queries). The page says how many of them have no bank account to pay into."""
    balances = settled_balances(township_code=township_code, minimum=minimum).order_by("household__registry_id")
    return payables(balances, minimum=minimum)


def payout_batches_for_scope(*, scope: Scope):
    """The batches of the scope's stations (the operator: every station's), newest first, each
    with `line_count` and `total` (one query)."""
    batches = PayoutBatch.objects.select_related("station", "prepared_by", "paid_by")
    if not scope.is_operator:
        batches = batches.filter(station__township_id__in=scope.managed_townships)
    return batches.annotate(line_count=Count("lines"), total=Sum("lines__amount"))


def payout_batch_for_scope(*, scope: Scope, pk: int, write: bool = False) -> PayoutBatch:
    """One batch with its station and its total: NotFound for an unknown id, OutOfScope for
    another township's. To `write` (download the bank file, pay, cancel), the scope must manage
    its station: the operator reads batches, but is not shown the accounts in full."""
    batch = (
        PayoutBatch.objects.filter(pk__in=storable_ids([pk])).select_related("station", "prepared_by", "paid_by")
        .annotate(line_count=Count("lines"), total=Sum("lines__amount")).first()
    )
    if batch is None:
        raise NotFound(_("No payout batch has this id."))
    manages = scope.manages(batch.station.township_id)
    if not (manages or (scope.is_operator and not write)):
        raise OutOfScope(_("This payout batch belongs to another station."))
    return batch


def payout_lines(*, batch: PayoutBatch) -> list[PayoutLine]:
    """A batch's lines with their households, in the order they were prepared."""
    return list(batch.lines.select_related("household").order_by("id"))
