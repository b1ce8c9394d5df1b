"""Writes to the household registry and the sellers acting for households."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.models import Category, Product, StorageClass
from catalogue.services import POOLED, product_classes_ensure, product_create, product_image_add
from logistics.models import Station
from sellers.models import Household, HouseholdMember, Seller, SellerKind
from sellers.partner.lock_objects import stock_records_for_update
from sellers.partner.models import Partner, StockRecord
from shop.core.money import Currency, round_to_fen
from shop.models import Division


@transaction.atomic
def household_register(
    *,
    registry_id: str,
    township: Division,
    village: str,
    head_name: str,
    id_number: str,
    members: list[dict] | int,
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
    """Register a household. `members` lists its people (the head first), or is just how many
    people it has, when only the head's record is known yet. Raises ValidationError on bad data."""
    if isinstance(members, int):
        member_count = members
        members = [{"name": head_name, "relation": "户主", "id_number": id_number}]
    else:
        member_count = len(members)
    household = Household(
        registry_id=registry_id,
        township=township,
        village=village,
        head_name=head_name,
        id_number=id_number,
        members=member_count,
        poverty_cause=poverty_cause,
        secondary_poverty_cause=secondary_poverty_cause,
        attribute=attribute,
        poverty_status=poverty_status,
        monitoring_type=monitoring_type,
        baseline_income_per_capita=round_to_fen(baseline_income_per_capita),
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


@transaction.atomic
def stock_offer(*, seller: Seller, product: Product, price: Decimal, stock: int) -> StockRecord:
    """Offer a seller's stock of a product at a price (one stock record per seller and product)."""
    record = stock_records_for_update(product=product, partner=seller.partner).first()
    if record is None:
        return StockRecord.objects.create(
            product=product, partner=seller.partner, partner_sku=f"{seller.partner_id}-{product.pk}",
            price=round_to_fen(price), price_currency=Currency.CNY, num_in_stock=stock,
        )
    return _stock_record_change(record, price=price, stock=stock)


HOUSEHOLD_EDITABLE = {
    "village", "head_name", "id_number", "members", "poverty_cause", "secondary_poverty_cause", "attribute",
    "poverty_status", "monitoring_type", "baseline_income_per_capita", "identified_year", "exited_year",
    "phone", "bank_account", "capacity", "consent_to_sell", "consent_to_story",
}


@transaction.atomic
def household_update(*, household: Household, recorded_by=None, **changes) -> Household:
    """Change a household's record; the township and registry ID stay as registered."""
    unknown = set(changes) - HOUSEHOLD_EDITABLE
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in sorted(unknown)})
    consent_before = (household.consent_to_sell, household.consent_to_story)
    for name, value in changes.items():
        setattr(household, name, round_to_fen(value) if name == "baseline_income_per_capita" else value)
    if (household.consent_to_sell, household.consent_to_story) != consent_before:
        household.consent_recorded_at = timezone.now()
        household.consent_recorded_by = recorded_by
    household.full_clean()
    household.save()
    return household


@transaction.atomic
def listing_create(
    *,
    household: Household,
    price: Decimal,
    stock: int,
    product: Product | None = None,
    title: str = "",
    category: Category | None = None,
    unit: str = "",
    description: str = "",
    photos: list[bytes] = (),
) -> StockRecord:
    """List goods for a household: its stock of an existing pooled product, or a new product
    (from the household's township) with photos. Only households that consented may sell."""
    if not household.consent_to_sell:
        raise ValidationError({"household": [_("This household has not consented to selling through the platform.")]})
    if product is None:
        errors = {}
        if not title.strip():
            errors["title"] = [_("A new product needs a title.")]
        if category is None:
            errors["category"] = [_("A new product needs a category.")]
        if not unit.strip():
            errors["unit"] = [_("A new product needs a unit, e.g. 500 g or one bird.")]
        if errors:
            raise ValidationError(errors)
        product = product_create(
            title=title.strip(), category=category, product_class=product_classes_ensure()[POOLED],
            origin=household.township, unit=unit.strip(), description=description.strip(),
        )
    elif not product.is_public:
        raise ValidationError({"product_id": [_("This product is not on sale.")]})
    elif product.storage != StorageClass.AMBIENT and not _has_cold_chain(household.township_id):
        raise ValidationError({"product_id": [_("Chilled and frozen goods can only be listed by stations with a cold chain.")]})
    for data in photos:
        product_image_add(product=product, data=data)
    seller = household_seller_ensure(household=household)
    _check_price_and_stock(price, stock)
    return stock_offer(seller=seller, product=product, price=price, stock=stock)


@transaction.atomic
def listing_update(*, record: StockRecord, price: Decimal | None = None, stock: int | None = None) -> StockRecord:
    """Change a listing's price or stock. The row is locked first, so a checkout that reserves
    units meanwhile is neither overwritten nor oversold; `record` is brought up to date."""
    locked = _stock_record_change(stock_records_for_update(pk=record.pk).get(), price=price, stock=stock)
    record.price, record.num_in_stock, record.num_allocated = locked.price, locked.num_in_stock, locked.num_allocated
    return record


def _stock_record_change(locked: StockRecord, *, price: Decimal | None, stock: int | None) -> StockRecord:
    """Write a new price or stock to a locked stock record, saving only what changed. Stock counts
    the units on hand, those promised to open orders included, so it cannot fall below them."""
    _check_price_and_stock(locked.price if price is None else price, locked.num_in_stock if stock is None else stock)
    promised = locked.num_allocated or 0
    if stock is not None and int(stock) < promised:
        raise ValidationError({"stock": [
            _("%(n)s units are promised to open orders, so the stock cannot be less than %(n)s.") % {"n": promised}
        ]})
    changed = []
    if price is not None:
        locked.price = round_to_fen(price)
        changed.append("price")
    if stock is not None:
        locked.num_in_stock = int(stock)
        changed.append("num_in_stock")
    if changed:
        locked.save(update_fields=changed)
    return locked


def _check_price_and_stock(price, stock) -> None:
    errors = {}
    if price is None or Decimal(price) <= 0:
        errors["price"] = [_("The price must be more than zero.")]
    if stock is None or int(stock) < 0:
        errors["stock"] = [_("The stock cannot be negative.")]
    if errors:
        raise ValidationError(errors)


def _has_cold_chain(township_code: str) -> bool:
    return Station.objects.filter(township_id=township_code, cold_chain=True, is_active=True).exists()
