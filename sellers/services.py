"""Writes to the household registry and the sellers acting for households."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.actions.unpublish_page import UnpublishPageAction

from catalogue.caching import catalogue_changed
from catalogue.models import Category, Product, StorageClass
from catalogue.services import POOLED, product_classes_ensure, product_create, product_image_add, product_price_set
from logistics.access import Scope
from logistics.models import Station
from sellers.models import Household, HouseholdChange, HouseholdMember, Seller, SellerKind, StoryPage
from sellers.models.audit import AUDITED_FIELDS, Channel, household_changes
from sellers.partner.lock_objects import stock_records_for_update
from sellers.partner.models import Partner, StockRecord
from shop.core.errors import OutOfScope
from shop.core.money import round_to_fen
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
    scope: Scope | None = None,
    channel: str = Channel.SYSTEM,
) -> Household:
    """Register a household. `members` lists its people (the head first), or is just how many
    people it has, when only the head's record is known yet. Raises ValidationError on bad data:
    the household's rules are the model's (`Household`), checked here by `full_clean()`.

    `scope` is the caller's when a person asks (the API, the console): only a manager of the
    township's station (or the operator) may give a bank account (OutOfScope otherwise). The
    phone, bank account and consents given are recorded in the audit trail (`HouseholdChange`),
    as changes from nothing, by `recorded_by` through `channel`."""
    if scope is not None and bank_account and not scope.may_set_bank_account(township.code):
        raise _bank_account_refused()
    listed = not isinstance(members, int)
    if not listed:
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
    people = [
        HouseholdMember(household=household, name=m["name"], relation=m["relation"], id_number=m["id_number"])
        for m in members
    ]
    errors = {}
    try:
        household.full_clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if listed:  # a head-only record repeats the household's own fields, checked above
        for number, person in enumerate(people, start=1):
            try:
                person.full_clean(exclude=["household"])
            except ValidationError as error:
                errors.setdefault("members", []).extend(f"{number}. {person.name}: {m}" for m in error.messages)
    if errors:
        raise ValidationError(errors)
    household.save()
    HouseholdMember.objects.bulk_create(people)
    HouseholdChange.objects.bulk_create(
        household_changes(household=household, before=None, changed_by=recorded_by, channel=channel)
    )
    return household


def _bank_account_refused() -> OutOfScope:
    message = _("Only a manager of the household's station may set or change its bank account.")
    return OutOfScope(message, fields={"bank_account": [message]})


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
def stock_offer(*, seller: Seller, product: Product, stock: int, price: Decimal | None = None) -> StockRecord:
    """Offer a seller's stock of a product (one stock record per seller and product) at the
    product's one price. `price` sets that price for a product that has none yet; for one that
    has, it must be the same."""
    if product.price is None and price is not None:
        product_price_set(product=product, price=price)
    elif price is not None and round_to_fen(price) != product.price:
        raise ValidationError({"price": [
            _("This product sells at ¥%(price)s whichever household fills the order; its price is set by "
              "the station that pools it.") % {"price": product.price}
        ]})
    record = stock_records_for_update(product=product, partner=seller.partner).first()
    if record is None:
        _check_stock(stock)
        return StockRecord.objects.create(
            product=product, partner=seller.partner, partner_sku=f"{seller.partner_id}-{product.pk}",
            price=product.price, price_currency=product.price_currency, num_in_stock=stock,
        )
    return _stock_change(record, stock=stock)


HOUSEHOLD_EDITABLE = {
    "village", "head_name", "id_number", "members", "poverty_cause", "secondary_poverty_cause", "attribute",
    "poverty_status", "monitoring_type", "baseline_income_per_capita", "identified_year", "exited_year",
    "phone", "bank_account", "capacity", "consent_to_sell", "consent_to_story",
}


@transaction.atomic
def household_update(*, household: Household, recorded_by=None, scope: Scope | None = None,
                     channel: str = Channel.SYSTEM, **changes) -> Household:
    """Change a household's record; the township and registry ID stay as registered. The changed
    record is checked whole (`full_clean()`), so a change is checked against the values on record,
    e.g. an exit year against the year identified.

    With the caller's `scope`, a bank account in `changes` is refused (OutOfScope) unless the
    caller manages the household's station (`Scope.may_set_bank_account`). Every change of phone, bank
    account and consents is recorded (`HouseholdChange`). A withdrawn consent to the story takes
    effect at once: the household's stories are unpublished in the same transaction."""
    unknown = set(changes) - HOUSEHOLD_EDITABLE
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in sorted(unknown)})
    if scope is not None and "bank_account" in changes and not scope.may_set_bank_account(household.township_id):
        raise _bank_account_refused()
    # The row is locked and read afresh: the caller's copy may be stale, and writing it back whole
    # would undo a change made meanwhile (a new bank account) with nothing in the audit trail.
    household = Household.objects.select_for_update().select_related("township").get(pk=household.pk)
    before = {name: getattr(household, name) for name in AUDITED_FIELDS}
    for name, value in changes.items():
        setattr(household, name, round_to_fen(value) if name == "baseline_income_per_capita" else value)
    now = timezone.now()
    consent_changed = any(getattr(household, name) != before[name] for name in ("consent_to_sell", "consent_to_story"))
    if consent_changed:
        household.consent_recorded_at = now
        household.consent_recorded_by = recorded_by
    household.full_clean()
    household.save(update_fields=[*changes, "consent_recorded_at", "consent_recorded_by", "updated_at"])
    HouseholdChange.objects.bulk_create(
        household_changes(household=household, before=before, changed_by=recorded_by, channel=channel, at=now)
    )
    if before["consent_to_story"] and not household.consent_to_story:
        _stories_unpublish(household=household, user=recorded_by)
    if consent_changed:
        # The shop's cached pages name the household's goods and stories: dropped on saving (a
        # signal), and again once committed, so no page rebuilt meanwhile keeps the old consent.
        transaction.on_commit(catalogue_changed)
    return household


def _stories_unpublish(*, household: Household, user) -> None:
    """Take the household's stories off the site now: unpublished as Wagtail does it (logged, with
    who did it; the editors' permission is not asked: the household's withdrawn consent decides)."""
    for story in StoryPage.objects.live().filter(household=household):
        UnpublishPageAction(story, user=user).execute(skip_permission_checks=True)


@transaction.atomic
def listing_create(
    *,
    household: Household,
    stock: int,
    price: Decimal | None = None,
    product: Product | None = None,
    title: str = "",
    category: Category | None = None,
    unit: str = "",
    description: str = "",
    photos: list[bytes] = (),
) -> StockRecord:
    """List goods for a household: its stock of an existing pooled product (at that product's one
    price, only from the product's area), or a new product from the household's township, at
    `price`, with photos. Only households that consented may sell."""
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
        if price is None or Decimal(price) <= 0:
            errors["price"] = [_("The price must be more than zero.")]
        if errors:
            raise ValidationError(errors)
        product = product_create(
            title=title.strip(), category=category, product_class=product_classes_ensure()[POOLED],
            origin=household.township, unit=unit.strip(), description=description.strip(), price=price,
        )
        for data in photos:
            product_image_add(product=product, data=data)
        return stock_offer(seller=household_seller_ensure(household=household), product=product, stock=stock, price=price)
    _check_may_supply(household, product)
    record = stock_offer(seller=household_seller_ensure(household=household), product=product, stock=stock, price=price)
    for data in photos:  # the household's own listing's: shown on the shared page once reviewed
        product_image_add(product=product, data=data, listing=record)
    return record


def _check_may_supply(household: Household, product: Product) -> None:
    if not product.is_public:
        raise ValidationError({"product_id": [_("This product is not on sale.")]})
    if not product.may_be_supplied_from(household.township):
        raise ValidationError({"product_id": [
            _("Only households of %(area)s may supply this product.") % {"area": product.supply_area.display_name}
        ]})
    if product.storage != StorageClass.AMBIENT and not _has_cold_chain(household.township_id):
        raise ValidationError({"product_id": [_("Chilled and frozen goods can only be listed by stations with a cold chain.")]})


@transaction.atomic
def listing_update(*, record: StockRecord, price: Decimal | None = None, stock: int | None = None) -> StockRecord:
    """Change a listing's stock, or its product's one price (for every household that supplies it:
    the caller checks that it may set it). The stock row is locked first, so a checkout that
    reserves units meanwhile is neither overwritten nor oversold; `record` is brought up to date."""
    if price is not None:
        product_price_set(product=record.product, price=price)
    locked = stock_records_for_update(pk=record.pk).get()
    if stock is not None:
        _stock_change(locked, stock=stock)
    record.price, record.num_in_stock, record.num_allocated = locked.price, locked.num_in_stock, locked.num_allocated
    return record


def _stock_change(locked: StockRecord, *, stock: int) -> StockRecord:
    """Write a new stock to a locked stock record, saving only that field. Stock counts the units
    on hand, those promised to open orders included, so it cannot fall below them."""
    _check_stock(stock)
    promised = locked.num_allocated or 0
    if int(stock) < promised:
        raise ValidationError({"stock": [
            _("%(n)s units are promised to open orders, so the stock cannot be less than %(n)s.") % {"n": promised}
        ]})
    locked.num_in_stock = int(stock)
    locked.save(update_fields=["num_in_stock"])
    return locked


def _check_stock(stock) -> None:
    if stock is None or int(stock) < 0:
        raise ValidationError({"stock": [_("The stock cannot be negative.")]})


def _has_cold_chain(township_code: str) -> bool:
    return Station.objects.filter(township_id=township_code, cold_chain=True, is_active=True).exists()
