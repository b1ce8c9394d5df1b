"""Writes to the ledger: the only way an entry is ever made.

The commerce layer calls these as money moves (payment, settlement, refund), the station
console for payouts, the platform operator for adjustments. Each entry carries an idempotency
key derived from what caused it, so a replayed webhook or a retried task finds its entries
written and writes nothing; the unique key is the last guard when two attempts race.
Running totals move in the same transaction as the entries that move them."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from impact.fees import SaleFacts, fee_rules, sale_fees, sale_parties
from impact.models import (
    ZERO,
    Bucket,
    EntryKind,
    FeeType,
    HouseholdBalance,
    HouseholdYear,
    LedgerEntry,
    SellerYear,
    TownshipMonth,
)
from sellers.models import Household
from shop.core.errors import InvalidInput
from shop.core.money import round_to_fen, split_to_fen

# Which balance of the household each kind moves, and by how much (per unit of the amount).
_BALANCE_MOVES = {
    (EntryKind.SALE_PENDING, Bucket.PENDING): {"pending": 1},
    (EntryKind.SALE_SETTLED, Bucket.SETTLED): {"pending": -1, "settled": 1},
    (EntryKind.REVERSAL, Bucket.PENDING): {"pending": 1},
    (EntryKind.REVERSAL, Bucket.SETTLED): {"settled": 1},
    (EntryKind.PAYOUT, Bucket.SETTLED): {"settled": 1, "paid_out": -1},
    (EntryKind.ADJUSTMENT, Bucket.SETTLED): {"settled": 1},
}
# Kinds that change a household's (or seller's) income credited in the entry's year.
_INCOME_KINDS = {EntryKind.SALE_PENDING, EntryKind.ADJUSTMENT}


def counts_as_income(entry: LedgerEntry) -> bool:
    """Credits, adjustments and the reversals of credits (not of fees) are income."""
    return entry.kind in _INCOME_KINDS or (entry.kind == EntryKind.REVERSAL and not entry.fee_type)


def balance_moves(entry: LedgerEntry) -> dict[str, int]:
    """{balance field: sign} this entry moves on its household's balance (empty: none)."""
    if entry.household_id is None:
        return {}
    return _BALANCE_MOVES.get((entry.kind, entry.bucket), {})


# Appending ---------------------------------------------------------------------------------


def entries_append(entries: list[LedgerEntry], *, once_per_order: bool = False) -> list[LedgerEntry]:
    """Write the entries not written before (by idempotency key) and move the running totals by
    them. Returns the entries written now. With `once_per_order`, an order any of whose entries
    was written before gets none of them: a payment replayed after the fee rules or a
    cooperative's links changed must not add the entries the new rules would make."""
    assert transaction.get_connection().in_atomic_block, "write the ledger inside the caller's transaction"
    if not entries:
        return []
    keys = [e.idempotency_key for e in entries]
    done = set(LedgerEntry.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
    if once_per_order:
        credited = {e.order_id for e in entries if e.idempotency_key in done}
        entries = [e for e in entries if e.order_id not in credited]
    # A credit of nothing (fees took the whole price) is still a sale: its gross counts.
    new = [e for e in entries if e.idempotency_key not in done and (e.amount != ZERO or e.gross != ZERO)]
    if not new:
        return []
    LedgerEntry.objects.bulk_create(new)
    totals_move(new)
    return new


def totals_move(entries: Iterable[LedgerEntry]) -> None:
    """Move the running totals by these entries: household balances, household and seller
    income by year, townships' income by month. One statement per table (an INSERT … ON
    CONFLICT DO UPDATE that adds to the row), so concurrent first sales of one household neither
    collide nor lose an update."""
    balances: dict[tuple, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    household_years: dict[tuple, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    seller_years: dict[tuple, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    township_months: dict[tuple, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    entries = list(entries)
    townships = dict(
        Household.objects.filter(pk__in={e.household_id for e in entries if counts_as_income(e) and e.household_id})
        .values_list("pk", "township_id")
    )
    for e in entries:
        for field, sign in balance_moves(e).items():
            balances[(e.household_id,)][field] += sign * e.amount
        if counts_as_income(e):
            local = timezone.localtime(e.created_at)  # the year and month in China
            year = local.year
            if e.household_id is not None:
                household_years[e.household_id, year]["net_income"] += e.amount
                household_years[e.household_id, year]["gross_sales"] += e.gross
                month = (townships[e.household_id], year, local.month)
                township_months[month]["net_income"] += e.amount
                township_months[month]["gross_sales"] += e.gross
            if e.seller_id is not None:
                seller_years[e.seller_id, year]["net_income"] += e.amount
    _add_to_rows(HouseholdBalance, ["household_id"], ["pending", "settled", "paid_out"], balances)
    _add_to_rows(HouseholdYear, ["household_id", "year"], ["gross_sales", "net_income"], household_years)
    _add_to_rows(SellerYear, ["seller_id", "year"], ["net_income"], seller_years)
    _add_to_rows(TownshipMonth, ["township_id", "year", "month"], ["gross_sales", "net_income"], township_months)


def _add_to_rows(model, keys: list[str], fields: list[str], deltas: dict[tuple, dict[str, Decimal]]) -> None:
    """Add `deltas` ({key values: {field: amount}}) to the rows of `model`, making missing rows,
    in one statement (the same SQL on SQLite and PostgreSQL)."""
    if not deltas:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [connection.ops.quote_name(c) for c in keys + fields]
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    params = []
    # Rows in key order: two transactions moving the same rows lock them in the same order, so
    # they wait for each other instead of deadlocking.
    for key, moves in sorted(deltas.items()):
        params += [*key, *(moves.get(field, ZERO) for field in fields)]
    conflict = ", ".join(connection.ops.quote_name(k) for k in keys)
    additions = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns[len(keys):])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row] * len(deltas))} "
            f"ON CONFLICT ({conflict}) DO UPDATE SET {additions}",
            params,
        )


# Payment: credits and fees -----------------------------------------------------------------


@dataclass(frozen=True)
class Sale:
    """One order line as the ledger needs it: who sold it (a seller, with its household or its
    benefit links loaded), what the fees depend on, and what the buyer paid for it."""

    order_id: int
    order_line_id: int
    seller: object  # sellers.Seller, or None for the platform's own goods
    facts: SaleFacts


@dataclass(frozen=True)
class DeliveryCharge:
    """What the buyer paid one station to deliver their parcel: transport, and the cold-chain
    surcharge when the parcel travels cold."""

    order_id: int
    shipment_id: int
    amount: Decimal
    cold_chain_part: Decimal


def party_key(household_id: int | None, seller_id: int) -> str:
    return f"h{household_id}" if household_id is not None else f"s{seller_id}"


@transaction.atomic(savepoint=False)  # the caller's transaction, or its own
def sales_credit(*, sales: Iterable[Sale], deliveries: Iterable[DeliveryCharge] = (), at=None) -> list[LedgerEntry]:
    """Paid: each sale's fees, and the rest as `sale_pending` for its households (a
    cooperative's shared by benefit link, to the fen); the buyer's delivery charges as
    transport and cold-chain fees."""
    at = at or timezone.now()
    rules = fee_rules()
    entries = []
    for sale in sales:
        common = {"order_id": sale.order_id, "order_line_id": sale.order_line_id, "created_at": at}
        if sale.seller is None:  # the platform's own goods: the whole price is the platform's
            entries.append(LedgerEntry(
                kind=EntryKind.FEE, fee_type=FeeType.COMMISSION, bucket=Bucket.NONE, amount=sale.facts.gross,
                idempotency_key=f"fee:{sale.order_line_id}:{FeeType.COMMISSION}", **common,
            ))
            continue
        fees = sale_fees(rules, sale.facts)
        for fee_type, amount in fees.items():
            entries.append(LedgerEntry(
                kind=EntryKind.FEE, fee_type=fee_type, bucket=Bucket.NONE, seller_id=sale.seller.pk,
                household_id=sale.seller.household_id, amount=amount,
                idempotency_key=f"fee:{sale.order_line_id}:{fee_type}", **common,
            ))
        net = sale.facts.gross - sum(fees.values(), ZERO)
        parties = sale_parties(sale.seller)
        weights = [w for _h, w in parties]
        for (household_id, _w), credit, gross in zip(
            parties, split_to_fen(net, weights), split_to_fen(sale.facts.gross, weights), strict=True
        ):
            entries.append(LedgerEntry(
                kind=EntryKind.SALE_PENDING, bucket=Bucket.PENDING, seller_id=sale.seller.pk,
                household_id=household_id, amount=credit, gross=gross,
                idempotency_key=f"sale:{sale.order_line_id}:{party_key(household_id, sale.seller.pk)}", **common,
            ))
    for charge in deliveries:
        common = {"order_id": charge.order_id, "shipment_id": charge.shipment_id, "created_at": at,
                  "kind": EntryKind.FEE, "bucket": Bucket.NONE}
        cold = min(charge.cold_chain_part, charge.amount)
        for fee_type, amount in ((FeeType.TRANSPORT, charge.amount - cold), (FeeType.COLD_CHAIN, cold)):
            entries.append(LedgerEntry(
                fee_type=fee_type, amount=amount,
                idempotency_key=f"delivery:{charge.shipment_id}:{fee_type}", **common,
            ))
    return entries_append(entries, once_per_order=True)


# Settlement --------------------------------------------------------------------------------


@transaction.atomic(savepoint=False)  # the caller's transaction, or its own
def sales_settle(*, order_line_ids: Iterable[int], at=None) -> list[LedgerEntry]:
    """Delivered and past the return window: what is still pending of each line's credits
    becomes settled (payable). Lines refunded whole settle nothing."""
    at = at or timezone.now()
    entries = []
    for credit in _components(order_line_id__in=list(order_line_ids), kind=EntryKind.SALE_PENDING):
        left = credit.amount + (credit.reversed_total or ZERO)
        entries.append(LedgerEntry(
            kind=EntryKind.SALE_SETTLED, bucket=Bucket.SETTLED, household_id=credit.household_id,
            seller_id=credit.seller_id, order_id=credit.order_id, order_line_id=credit.order_line_id,
            amount=left, created_at=at,
            idempotency_key=f"settle:{credit.order_line_id}:{party_key(credit.household_id, credit.seller_id)}",
        ))
    return entries_append(entries)


# Refunds -----------------------------------------------------------------------------------


def _reversals(components: list[LedgerEntry], *, target: Decimal, key: str, at, settled: set) -> list[LedgerEntry]:
    """Reverse `components` (credits and fees that together make up what was paid) so that, in
    all, `target` of them has been reversed. Only the increment (target − reversed so far) is
    shared, in proportion to what is left of each component, to the fen: no component is ever
    reversed by more than is left of it, nor pushed back up, and the last refund of a line
    undoes exactly what is left."""
    left = [c.amount + (c.reversed_total or ZERO) for c in components]
    increment = target - (sum((c.amount for c in components), ZERO) - sum(left, ZERO))
    if increment <= ZERO or not any(w > ZERO for w in left):
        return []
    parts = split_to_fen(increment, [max(w, ZERO) for w in left])
    # The refunded price, shared among the credits by what is left of their gross: what each
    # household sold less (the fees' share of the price included, as in the credit's gross).
    credits = [c for c in components if c.kind == EntryKind.SALE_PENDING]
    gross_left = {c.pk: c.gross + (c.reversed_gross or ZERO) for c in credits}
    gross_parts = (
        dict(zip(gross_left, split_to_fen(increment, [max(g, ZERO) for g in gross_left.values()]), strict=True))
        if any(g > ZERO for g in gross_left.values()) else {}
    )
    entries = []
    for component, amount, remaining in zip(components, parts, left, strict=True):
        is_credit = component.kind == EntryKind.SALE_PENDING
        gross = min(gross_parts.get(component.pk, ZERO), gross_left.get(component.pk, ZERO)) if is_credit else ZERO
        if amount == remaining and is_credit:
            gross = gross_left[component.pk]  # the component's last reversal takes the rest of its gross
        if amount == ZERO and gross == ZERO:
            continue
        entries.append(LedgerEntry(
            kind=EntryKind.REVERSAL, fee_type=component.fee_type, reverses=component,
            bucket=(Bucket.SETTLED if component.pk in settled else Bucket.PENDING) if is_credit else Bucket.NONE,
            household_id=component.household_id, seller_id=component.seller_id, order_id=component.order_id,
            order_line_id=component.order_line_id, shipment_id=component.shipment_id,
            amount=-amount, gross=-gross, created_at=at, idempotency_key=f"{key}:{component.pk}",
        ))
    return entries


def _components(**filters) -> list[LedgerEntry]:
    """The credits and fees matching `filters`, each with what its reversals took back so far."""
    return list(
        LedgerEntry.objects.filter(kind__in=[EntryKind.SALE_PENDING, EntryKind.FEE], **filters)
        .annotate(reversed_total=Sum("reversals__amount"), reversed_gross=Sum("reversals__gross"))
        .order_by("id")
    )


def _settled_credit_ids(components: list[LedgerEntry]) -> set[int]:
    """The credits among `components` whose line has settled for their party (one query)."""
    settled = set(
        LedgerEntry.objects.filter(
            kind=EntryKind.SALE_SETTLED, order_line_id__in={c.order_line_id for c in components if c.order_line_id}
        ).values_list("order_line_id", "household_id", "seller_id")
    )
    return {
        c.pk for c in components
        if c.kind == EntryKind.SALE_PENDING and (c.order_line_id, c.household_id, c.seller_id) in settled
    }


@transaction.atomic(savepoint=False)  # the caller's transaction, or its own
def refund_reverse(
    *, refund_key: str, lines: dict[int, tuple[int, int, Decimal]], order_id: int, delivery: Decimal = ZERO, at=None
) -> list[LedgerEntry]:
    """A refund: undo, line by line, the credits and fees of the refunded units, and the delivery
    fees refunded. `lines` is {order line id: (units refunded in all, including this refund; units
    of the line; unit price)}. Reversing cumulatively means the last refund of a line undoes
    exactly what is left of it, whatever the rounding of the refunds before."""
    at = at or timezone.now()
    entries = []
    line_components = defaultdict(list)
    for component in _components(order_line_id__in=list(lines)):
        line_components[component.order_line_id].append(component)
    all_line_components = [c for cs in line_components.values() for c in cs]
    settled = _settled_credit_ids(all_line_components)
    for line_id, (refunded_units, units, unit_price) in lines.items():
        components = line_components.get(line_id, [])
        paid = sum((c.amount for c in components), ZERO)
        target = min(round_to_fen(unit_price * refunded_units), paid) if refunded_units < units else paid
        entries += _reversals(components, target=target, key=refund_key, at=at, settled=settled)
    if delivery:
        components = _components(order_id=order_id, shipment_id__isnull=False)
        already = -sum((c.reversed_total or ZERO for c in components), ZERO)
        paid = sum((c.amount for c in components), ZERO)
        entries += _reversals(components, target=min(already + delivery, paid), key=refund_key, at=at, settled=set())
    return entries_append(entries)


# Payouts and adjustments -------------------------------------------------------------------


@transaction.atomic(savepoint=False)  # the caller's transaction, or its own
def payouts_record(*, payout_lines, at=None) -> list[LedgerEntry]:
    """A payout batch was paid: each line leaves its household's settled balance."""
    at = at or timezone.now()
    return entries_append([
        LedgerEntry(
            kind=EntryKind.PAYOUT, bucket=Bucket.SETTLED, household_id=line.household_id, payout_line=line,
            amount=-line.amount, created_at=at, idempotency_key=f"payout:{line.pk}",
        )
        for line in payout_lines
    ])


@transaction.atomic
def adjustment_record(*, household, amount: Decimal, reason: str, approved_by, key: str, at=None) -> LedgerEntry:
    """A correction by the platform operator, with the reason and who approved it; the only
    entry not caused by a payment, a delivery or a refund."""
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = [_("Say why the household's balance is being corrected.")]
    if approved_by is None or not getattr(approved_by, "is_staff", False):
        errors["approved_by"] = [_("An adjustment must be approved by a platform operator.")]
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount == ZERO or round_to_fen(amount) != amount:
        errors["amount"] = [_("Enter a non-zero amount in yuan, to the fen.")]
    if errors:
        raise InvalidInput(_("The adjustment cannot be recorded."), fields=errors)
    written = entries_append([LedgerEntry(
        kind=EntryKind.ADJUSTMENT, bucket=Bucket.SETTLED, household=household, amount=amount,
        reason=reason[:255], approved_by=approved_by, created_at=at or timezone.now(),
        idempotency_key=f"adjust:{key}",
    )])
    return written[0] if written else LedgerEntry.objects.get(idempotency_key=f"adjust:{key}")
