"""Orders and what the ledger made of them, for the ledger and audit tests: the platform's fee
rules, a cooperative linked to households, an order bought through the real checkout, and the
entries of an order in a form a test can compare."""

from collections import defaultdict
from decimal import Decimal
from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from impact.models import FeeRule, FeeType, HouseholdBalance, LedgerEntry
from sellers.factories import HouseholdFactory
from sellers.models import BenefitLink, Seller, SellerKind
from sellers.partner.models import Partner
from sellers.services import stock_offer
from shop.models import Division
from shop.order.models import Order
from tests.personas import MIAOBA
from tests.shopping import ADDRESS, place_order


def fee_rules_standard() -> None:
    """5 % commission (waived on certified goods) and ¥1.00 a unit for packing, everywhere."""
    FeeRule.objects.create(fee_type=FeeType.COMMISSION, rate=Decimal("0.0500"))
    FeeRule.objects.create(fee_type=FeeType.PACKING, per_unit=Decimal("1.00"), waived_for_certified=False)


def cooperative(shares: list[str], *, township=MIAOBA, name="盐津乌骨鸡专业合作社"):
    """A cooperative of `township` linked to a new household for each of `shares`; the
    cooperative and its households in the order of `shares`."""
    division = Division.objects.get(code=township)
    seller = Seller.objects.create(
        kind=SellerKind.COOPERATIVE, partner=Partner.objects.create(name=name), township=division
    )
    households = [HouseholdFactory(township=division, consent_to_sell=True) for _share in shares]
    for household, share in zip(households, shares, strict=True):
        BenefitLink.objects.create(seller=seller, household=household, kind="operating", share=Decimal(share))
    return seller, households


def cooperative_offer(product, seller, *, price: str, stock: int = 10):
    return stock_offer(seller=seller, product=product, price=Decimal(price), stock=stock)


def checkout(client, product, *, quantity: int = 1) -> Order:
    """`quantity` of `product` bought through the real checkout pages (demo payment, station
    delivery): the buyer must be signed in on `client`."""
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})
    client.post(reverse("checkout:shipping-address"), ADDRESS)
    client.get(reverse("checkout:shipping-method"))
    place_order(client)
    return Order.objects.latest("id")


def entries_of(order, **filters) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(order=order, **filters).order_by("id"))


def totals_by_kind(order) -> dict[tuple[str, str], Decimal]:
    """{(kind, fee type): Σ amount} of the order's entries."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for entry in entries_of(order):
        totals[entry.kind, entry.fee_type] += entry.amount
    return dict(totals)


def balance(household) -> tuple[Decimal, Decimal, Decimal]:
    """(pending, settled, paid out) of the household."""
    row = HouseholdBalance.objects.filter(household=household).first()
    zero = Decimal("0.00")
    return (row.pending, row.settled, row.paid_out) if row else (zero, zero, zero)


def audit(*args) -> tuple[int, str]:
    """Run `manage.py impact_audit`: (exit code, output)."""
    out = StringIO()
    try:
        call_command("impact_audit", *args, stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()
