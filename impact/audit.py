"""The fund-flow audit, ledger side: every running total still equals the sums of the entries
that moved it, no household owes the platform, nothing was paid out that had not settled.

Each check is one or two GROUP BY queries whatever the size of the ledger, and compares the
grouped sums in Python; the SQL is derived from the rules the services write by
(`balance_moves`, `counts_as_income`), so the audit cannot drift from them. The per-order check
(money received = credits + fees + refunds) needs the orders' payments, which belong to the
commerce layer: it lives in `shop.order.audit` and reads the ledger through `order_sums` here."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Case, Count, DecimalField, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

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
from impact.services import balance_moves, counts_as_income
from sellers.models import Household, Seller
from shop.core.money import round_to_fen

BALANCE_FIELDS = ("pending", "settled", "paid_out")


class Kind:
    """What a discrepancy is about (stable codes: CI logs and tests name them)."""

    ORDER_MONEY = "order_money"
    PAID_WITHOUT_ENTRIES = "paid_without_entries"
    ENTRIES_WITHOUT_PAYMENT = "entries_without_payment"
    BALANCE = "balance"
    BALANCE_MISSING = "balance_missing"
    BALANCE_NEGATIVE = "balance_negative"
    PAYOUT_EXCEEDS_SETTLED = "payout_exceeds_settled"
    HOUSEHOLD_YEAR = "household_year"
    SELLER_YEAR = "seller_year"
    TOWNSHIP_MONTH = "township_month"


@dataclass(frozen=True)
class Discrepancy:
    kind: str
    subject: str  # the order number, household registry id, seller or township it concerns
    expected: Decimal | str
    found: Decimal | str
    message: str

    def __str__(self):
        """One line, starting with what a script can match: the kind and the subject."""
        expected, found = _("expected"), _("found")
        return f"{self.kind} {self.subject}: {self.message} ({expected} {self.expected}, {found} {self.found})"


# The rules as SQL ----------------------------------------------------------------------------

_MONEY = DecimalField(max_digits=16, decimal_places=2)


def _sum(condition: Q):
    """Σ amount over the entries meeting `condition` (0 when none)."""
    return Sum(Case(When(condition, then=F("amount")), default=Value(ZERO), output_field=_MONEY), output_field=_MONEY)


def _income_condition() -> Q:
    """The entries `counts_as_income` accepts, as a condition (it looks at the kind, and at
    whether the entry has a fee type)."""
    conditions = []
    for kind in EntryKind:
        plain = counts_as_income(LedgerEntry(kind=kind, fee_type=""))
        typed = counts_as_income(LedgerEntry(kind=kind, fee_type=FeeType.COMMISSION))
        if plain and typed:
            conditions.append(Q(kind=kind))
        elif plain:
            conditions.append(Q(kind=kind, fee_type=""))
        elif typed:
            conditions.append(Q(kind=kind) & ~Q(fee_type=""))
    return reduce(or_, conditions)


def _moves_balances() -> Q:
    """The entries `balance_moves` moves a household's balance by, as a condition."""
    return reduce(or_, [
        Q(kind=kind, bucket=bucket)
        for kind in EntryKind for bucket in Bucket
        if balance_moves(LedgerEntry(kind=kind, bucket=bucket, household_id=0))
    ])


def _balance_sums() -> dict:
    """{balance field: Σ of what the entries moved on it}, by the rules of `balance_moves`."""
    sums = {}
    for field in BALANCE_FIELDS:
        whens = []
        for kind in EntryKind:
            for bucket in Bucket:
                sign = balance_moves(LedgerEntry(kind=kind, bucket=bucket, household_id=0)).get(field)
                if sign:
                    whens.append(When(Q(kind=kind, bucket=bucket), then=F("amount") * Value(Decimal(sign))))
        sums[field] = Sum(Case(*whens, default=Value(ZERO), output_field=_MONEY), output_field=_MONEY)
    return sums


# Entries that count towards an order's money: credits (and their reversals) and fees (and theirs).
ORDER_CREDITS = Q(kind=EntryKind.SALE_PENDING) | Q(kind=EntryKind.REVERSAL, fee_type="")
ORDER_FEES = Q(kind=EntryKind.FEE) | (Q(kind=EntryKind.REVERSAL) & ~Q(fee_type=""))


def _fen(value) -> Decimal:
    # SQLite sums decimals as floats: back to the fen before comparing.
    return round_to_fen(value if value is not None else ZERO)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The first instant of `year` and of the next, in China time (the ledger's calendar)."""
    tz = timezone.get_current_timezone()
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def _entries(year: int | None):
    entries = LedgerEntry.objects.order_by()
    if year is not None:
        start, end = year_bounds(year)
        entries = entries.filter(created_at__gte=start, created_at__lt=end)
    return entries


# What the commerce layer's per-order check reads --------------------------------------------


def order_sums(*, placed_in: int | None = None) -> Iterator[tuple[int, Decimal, Decimal, int]]:
    """(order id, Σ credits, Σ fees, number of entries) for every order with entries (placed in
    the year `placed_in`), in order id order: one GROUP BY, streamed, so that the commerce side can
    walk it beside the payments without holding either in memory."""
    entries = LedgerEntry.objects.order_by().filter(order_id__isnull=False)
    if placed_in is not None:
        start, end = year_bounds(placed_in)
        entries = entries.filter(order__date_placed__gte=start, order__date_placed__lt=end)
    rows = (
        entries.values("order_id")
        .annotate(credits=_sum(ORDER_CREDITS), fees=_sum(ORDER_FEES), entries=Count("id"))
        .order_by("order_id")
        .values_list("order_id", "credits", "fees", "entries")
    )
    for order_id, credits, fees, count in rows.iterator(chunk_size=20000):
        yield order_id, _fen(credits), _fen(fees), count


def order_has_entries():
    """An Exists() for Order querysets: the order has at least one ledger entry."""
    return Exists(LedgerEntry.objects.filter(order_id=OuterRef("pk")))


# Balances ------------------------------------------------------------------------------------


def _registry_ids(household_ids) -> dict[int, str]:
    return dict(Household.objects.filter(pk__in=set(household_ids)).values_list("pk", "registry_id"))


def balance_discrepancies() -> list[Discrepancy]:
    """Every household balance equals the sums of its entries (`balance_moves`); a household
    whose entries moved a balance has a balance row; no balance is negative; nothing was paid
    out that had not settled."""
    # Ever settled: what became payable (settlements and adjustments), whatever was refunded since.
    ever_settled = Sum(Case(When(kind__in=[EntryKind.SALE_SETTLED, EntryKind.ADJUSTMENT], then=F("amount")),
                            default=Value(ZERO), output_field=_MONEY), output_field=_MONEY)
    expected = {
        row["household_id"]: {field: _fen(row[field]) for field in (*BALANCE_FIELDS, "ever_settled")}
        for row in LedgerEntry.objects.order_by().filter(_moves_balances(), household_id__isnull=False)
        .values("household_id").annotate(**_balance_sums(), ever_settled=ever_settled)
    }
    rows = {
        row["household_id"]: {field: _fen(row[field]) for field in BALANCE_FIELDS}
        for row in HouseholdBalance.objects.order_by().values("household_id", *BALANCE_FIELDS)
    }
    found = []  # (kind, household id, expected, found, message)
    nothing = dict.fromkeys(BALANCE_FIELDS, ZERO)
    for household_id in sorted(expected.keys() | rows.keys()):
        want, have = expected.get(household_id, nothing), rows.get(household_id)
        if have is None:
            found.append((Kind.BALANCE_MISSING, household_id, _balance_text(want), "—",
                          _("The household has ledger entries but no balance.")))
            continue
        for field in BALANCE_FIELDS:
            if want[field] != have[field]:
                found.append((Kind.BALANCE, household_id, want[field], have[field],
                              _("The %(balance)s balance is not the sum of the household's entries.")
                              % {"balance": _balance_label(field)}))
        # A settled balance below nought is allowed: a sale refunded after it was paid out leaves
        # the household owing it, set against its next payout. Pending money never goes below.
        negative = [field for field in ("pending", "paid_out") if have[field] < ZERO]
        for field in negative:
            found.append((Kind.BALANCE_NEGATIVE, household_id, ">= 0.00", have[field],
                          _("The %(balance)s balance is negative.") % {"balance": _balance_label(field)}))
        if want["paid_out"] > want.get("ever_settled", ZERO):
            found.append((Kind.PAYOUT_EXCEEDS_SETTLED, household_id, want.get("ever_settled", ZERO),
                          want["paid_out"], _("More was paid out to the household than had ever settled.")))
    names = _registry_ids(household_id for _kind, household_id, *_rest in found)
    return [
        Discrepancy(kind, names.get(household_id, f"#{household_id}"), want, have, message)
        for kind, household_id, want, have, message in found
    ]


def _balance_label(field: str) -> str:
    return {"pending": _("pending"), "settled": _("settled"), "paid_out": _("paid out")}[field]


def _balance_text(values: dict[str, Decimal]) -> str:
    return " / ".join(f"{field} {values[field]}" for field in BALANCE_FIELDS)


# Income by year and month --------------------------------------------------------------------


def _compare(expected: dict, rows: dict, fields: tuple[str, ...]):
    """(key, field, expected, found) wherever the rows differ from the sums; a missing row
    reads as None."""
    for key in sorted(expected.keys() | rows.keys(), key=str):
        want, have = expected.get(key), rows.get(key)
        if have is None:
            yield key, None, want, None
            continue
        for field in fields:
            wanted = want[field] if want else ZERO
            if wanted != have[field]:
                yield key, field, wanted, have[field]


def household_year_discrepancies(*, year: int | None = None) -> list[Discrepancy]:
    """Each household's gross sales and net income of a year equal its income entries of that
    year (China time)."""
    fields = ("gross_sales", "net_income")
    expected = {
        (row["household_id"], row["year"]): {"gross_sales": _fen(row["gross"]), "net_income": _fen(row["net"])}
        for row in _entries(year).filter(_income_condition(), household_id__isnull=False)
        .annotate(year=ExtractYear("created_at")).values("household_id", "year")
        .annotate(gross=Sum("gross"), net=Sum("amount"))
    }
    rows = HouseholdYear.objects.order_by()
    if year is not None:
        rows = rows.filter(year=year)
    rows = {
        (row["household_id"], row["year"]): {field: _fen(row[field]) for field in fields}
        for row in rows.values("household_id", "year", *fields)
    }
    differences = list(_compare(expected, rows, fields))
    names = _registry_ids(key[0] for key, *_rest in differences)
    return [
        Discrepancy(
            Kind.HOUSEHOLD_YEAR, f"{names.get(key[0], f'#{key[0]}')} {key[1]}",
            want if field else _income_text(want, fields), have if field else "—",
            _("The household's %(figure)s of the year is not the sum of its entries.") % {"figure": _figure(field)}
            if field else _("The household has income entries in this year but no income row."),
        )
        for key, field, want, have in differences
    ]


def seller_year_discrepancies(*, year: int | None = None) -> list[Discrepancy]:
    """Each seller's net income of a year equals its income entries of that year."""
    fields = ("net_income",)
    expected = {
        (row["seller_id"], row["year"]): {"net_income": _fen(row["net"])}
        for row in _entries(year).filter(_income_condition(), seller_id__isnull=False)
        .annotate(year=ExtractYear("created_at")).values("seller_id", "year").annotate(net=Sum("amount"))
    }
    rows = SellerYear.objects.order_by()
    if year is not None:
        rows = rows.filter(year=year)
    rows = {
        (row["seller_id"], row["year"]): {"net_income": _fen(row["net_income"])}
        for row in rows.values("seller_id", "year", "net_income")
    }
    differences = list(_compare(expected, rows, fields))
    names = dict(
        Seller.objects.filter(pk__in={key[0] for key, *_rest in differences}).values_list("pk", "partner__name")
    )
    return [
        Discrepancy(
            Kind.SELLER_YEAR, f"{names.get(key[0], '')} (#{key[0]}) {key[1]}",
            want if field else _income_text(want, fields), have if field else "—",
            _("The seller's net income of the year is not the sum of its entries.")
            if field else _("The seller has income entries in this year but no income row."),
        )
        for key, field, want, have in differences
    ]


def township_month_discrepancies(*, year: int | None = None) -> list[Discrepancy]:
    """Each township's gross sales and net income of a month equal its households' income
    entries of that month."""
    fields = ("gross_sales", "net_income")
    expected = {
        (row["household__township_id"], row["year"], row["month"]): {
            "gross_sales": _fen(row["gross"]), "net_income": _fen(row["net"]),
        }
        for row in _entries(year).filter(_income_condition(), household_id__isnull=False)
        .annotate(year=ExtractYear("created_at"), month=ExtractMonth("created_at"))
        .values("household__township_id", "year", "month").annotate(gross=Sum("gross"), net=Sum("amount"))
    }
    rows = TownshipMonth.objects.order_by()
    if year is not None:
        rows = rows.filter(year=year)
    rows = {
        (row["township_id"], row["year"], row["month"]): {field: _fen(row[field]) for field in fields}
        for row in rows.values("township_id", "year", "month", *fields)
    }
    return [
        Discrepancy(
            Kind.TOWNSHIP_MONTH, f"{key[0]} {key[1]}-{key[2]:02d}",
            want if field else _income_text(want, fields), have if field else "—",
            _("The township's %(figure)s of the month is not the sum of its households' entries.")
            % {"figure": _figure(field)}
            if field else _("The township has income entries in this month but no income row."),
        )
        for key, field, want, have in _compare(expected, rows, fields)
    ]


def _figure(field: str | None) -> str:
    return {"gross_sales": _("gross sales"), "net_income": _("net income"), None: ""}[field]


def _income_text(values: dict | None, fields) -> str:
    return " / ".join(f"{field} {(values or {}).get(field, ZERO)}" for field in fields)


# All of it -----------------------------------------------------------------------------------


def ledger_discrepancies(*, year: int | None = None) -> list[Discrepancy]:
    """Every ledger-side check: balances (all time: they are not kept by year), and the income
    of `year` (every year when None)."""
    return [
        *balance_discrepancies(),
        *household_year_discrepancies(year=year),
        *seller_year_discrepancies(year=year),
        *township_month_discrepancies(year=year),
    ]


def ledger_counts(*, year: int | None = None) -> dict[str, int]:
    """How much the audit read: entries, and the households they name."""
    entries = _entries(year)
    return {
        "entries": entries.count(),
        "households": entries.filter(household_id__isnull=False).values("household_id").distinct().count(),
    }
