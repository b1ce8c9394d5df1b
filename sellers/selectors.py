"""Reads of the registry and the listings: what a scope may see, one household or listing for a
scope (NotFound / OutOfScope, the same answer for the API and the console), and what a buyer may
see of the sellers behind a product."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from catalogue.models import Product
from logistics.access import Scope
from sellers.masking import mask_name
from sellers.models import Household, SellerKind, StoryPage
from sellers.partner.models import StockRecord
from shop.core.errors import NotFound, OutOfScope
from shop.core.i18n import localized, wants_english
from shop.core.romanize import english_name

# What a scope may see and change -----------------------------------------------------------------


def _township_filter(scope: Scope, field: str) -> Q:
    if scope.is_operator:
        return Q()
    condition = Q(**{f"{field}__in": scope.staff_townships})
    for prefix in scope.official_prefixes:
        # Division codes nest by prefix; compare the related division's code, not the key.
        condition |= Q(**{f"{field.removesuffix('_id')}__code__startswith": prefix})
    return condition


def households_visible(scope: Scope) -> QuerySet[Household]:
    if not scope.can_read_registry:
        return Household.objects.none()
    return Household.objects.filter(_township_filter(scope, "township_id"))


def households_writable(scope: Scope) -> QuerySet[Household]:
    if scope.is_operator:
        return Household.objects.all()
    return Household.objects.filter(township_id__in=scope.staff_townships)


def listings_visible(scope: Scope) -> QuerySet[StockRecord]:
    """Stock records of sellers in the scope's townships."""
    if not scope.can_read_registry:
        return StockRecord.objects.none()
    return StockRecord.objects.filter(_township_filter(scope, "partner__seller__township_id"))


def listings_writable(scope: Scope) -> QuerySet[StockRecord]:
    if scope.is_operator:
        return StockRecord.objects.filter(partner__seller__isnull=False)
    return StockRecord.objects.filter(partner__seller__township_id__in=scope.staff_townships)


def may_set_price(*, scope: Scope, product: Product) -> bool:
    """A product's one price is set by the operator or by the station that pools it: the staff of
    its origin township (for a one-maker piece, the maker's own station)."""
    return scope.is_operator or (product.origin_id is not None and product.origin_id in scope.staff_townships)


def with_listing_details(listings: QuerySet[StockRecord]) -> QuerySet[StockRecord]:
    """Listings with what a listing's page or API answer shows: product, categories, household."""
    return listings.select_related("product", "partner__seller__household").prefetch_related("product__categories")


def household_for_scope(*, scope: Scope, registry_id: str, write: bool = False) -> Household:
    """One household: NotFound for an unknown registry ID, OutOfScope for one outside the
    scope's townships (to read: its region too)."""
    household = Household.objects.select_related("township").filter(registry_id=registry_id).first()
    if household is None:
        raise NotFound(_("No household has this registry ID."))
    allowed = scope.can_write_township if write else scope.can_read_township
    if not allowed(household.township_id):
        raise OutOfScope(_("This household belongs to another township."))
    return household


def listing_for_scope(*, scope: Scope, pk: int, write: bool = False) -> StockRecord:
    """One listing with its product and household: NotFound for an unknown id, OutOfScope for
    one outside the scope's townships."""
    visible = listings_writable(scope) if write else listings_visible(scope)
    record = with_listing_details(visible).filter(pk=pk).first()
    if record is not None:
        return record
    if StockRecord.objects.filter(pk=pk).exists():
        raise OutOfScope(_("This listing belongs to another township."))
    raise NotFound(_("No listing has this id."))


# What a buyer sees of the sellers -----------------------------------------------------------------




@dataclass(frozen=True)
class SellerOnPage:
    """What a buyer may see of a seller: no full names, no ID numbers, no phones."""

    name: str
    kind: str
    place: str
    in_stock: bool
    story_url: str | None


def sellers_of_product(*, product: Product) -> list[SellerOnPage]:
    """The sellers behind a product, from its prefetched stock records (`product_cards` keeps only
    the sellable ones: a household that withdrew its consent is not named)."""
    story_urls = _story_urls(
        [r.partner.seller.household_id for r in product.stockrecords.all() if hasattr(r.partner, "seller")]
    )
    result = []
    for record in product.stockrecords.all():
        seller = getattr(record.partner, "seller", None)
        if seller is None:
            continue
        household = seller.household
        if seller.kind == SellerKind.HOUSEHOLD and household is not None:
            name = mask_name(household.head_name)
            place = _place(household)
        else:
            name = record.partner.name
            place = localized(seller.township, "name")
        result.append(
            SellerOnPage(
                name=name,
                kind=seller.get_kind_display(),
                place=place,
                in_stock=record.net_stock_level > 0,
                story_url=story_urls.get(seller.household_id),
            )
        )
    return result


def _place(household: Household) -> str:
    if wants_english():
        return f"{english_name(household.village)}, {household.township.display_name}"
    return f"{household.township.name} {household.village}"


def told_stories(household_ids) -> dict[int, StoryPage]:
    """{household id: its story} for the households among `household_ids` whose story may be
    shown: live, and the household consents (the first published, if several; one query). The
    one rule for the product page, the parcel trace page and the buyer's impact receipt."""
    ids = {i for i in household_ids if i}
    if not ids:
        return {}
    stories = StoryPage.objects.live().filter(household_id__in=ids, household__consent_to_story=True)
    found: dict[int, StoryPage] = {}
    for story in stories.order_by("first_published_at", "id"):
        found.setdefault(story.household_id, story)
    return found


def _story_urls(household_ids: list[int]) -> dict[int, str]:
    return {household_id: story.url for household_id, story in told_stories(household_ids).items()}
