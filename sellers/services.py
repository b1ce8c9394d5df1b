"""Writes to the household registry and the sellers acting for households."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from catalogue.models import Product
from oscar.apps.partner.models import Partner, StockRecord
from sellers.models import Household, HouseholdMember, Seller, SellerKind
from shop.models import Division
from shop.money import to_fen


@transaction.atomic
def household_register(
    *,
    registry_id: str,
    township: Division,
    village: str,
    head_name: str,
    id_number: str,
    members: list[dict],
    poverty_cause: str,
    attribute: str,
    poverty_status: str,
    baseline_income_per_capita: Decimal,
    identified_year: int,
    secondary_poverty_cause: str = "",
    monitoring_type: str = "",
    exited_year: int | None = None,
    phone: str = "",
    bank_account: str = "",
    capacity: str = "",
    consent_to_sell: bool = False,
    consent_to_story: bool = False,
    recorded_by=None,
) -> Household:
    """Register a household with its members (the head first). Raises ValidationError on bad data."""
    household = Household(
        registry_id=registry_id,
        township=township,
        village=village,
        head_name=head_name,
        id_number=id_number,
        members=len(members),
        poverty_cause=poverty_cause,
        secondary_poverty_cause=secondary_poverty_cause,
        attribute=attribute,
        poverty_status=poverty_status,
        monitoring_type=monitoring_type,
        baseline_income_per_capita=to_fen(baseline_income_per_capita),
        identified_year=identified_year,
        exited_year=exited_year,
        phone=phone,
        bank_account=bank_account,
        capacity=capacity,
        consent_to_sell=consent_to_sell,
        consent_to_story=consent_to_story,
        consent_recorded_at=timezone.now() if (consent_to_sell or consent_to_story) else None,
        consent_recorded_by=recorded_by,
    )
    household.full_clean()
    household.save()
    HouseholdMember.objects.bulk_create(
        HouseholdMember(household=household, name=m["name"], relation=m["relation"], id_number=m["id_number"])
        for m in members
    )
    return household


@transaction.atomic
def household_seller_ensure(*, household: Household) -> Seller:
    """The household's own seller (an Oscar Partner), created on its first listing."""
    seller = Seller.objects.filter(household=household).select_related("partner").first()
    if seller:
        return seller
    partner = Partner.objects.create(name=f"{household.head_name}家 · {household.registry_id}")
    return Seller.objects.create(
        kind=SellerKind.HOUSEHOLD, partner=partner, household=household, township=household.township
    )


def stock_offer(*, seller: Seller, product: Product, price: Decimal, stock: int) -> StockRecord:
    """Offer a seller's stock of a product at a price (one stock record per seller and product)."""
    if stock < 0:
        raise ValueError("stock cannot be negative")
    record, _created = StockRecord.objects.update_or_create(
        product=product,
        partner=seller.partner,
        defaults={
            "partner_sku": f"{seller.partner_id}-{product.pk}",
            "price": to_fen(price),
            "price_currency": "CNY",
            "num_in_stock": stock,
        },
    )
    return record
