from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from catalogue.models import Product
from catalogue.selectors import product_cards, public_products
from sellers.masking import mask_name
from sellers.models import Household, SellerKind
from shop.i18n import localized, wants_english
from shop.romanize import english_name


@dataclass(frozen=True)
class SellerOnPage:
    """What a buyer may see of a seller: no full names, no ID numbers, no phones."""

    name: str
    kind: str
    place: str
    in_stock: bool
    story_url: str | None


def sellers_of_product(*, product: Product) -> list[SellerOnPage]:
    """The sellers behind a product, from its prefetched stock records."""
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


def _story_urls(household_ids: list[int]) -> dict[int, str]:
    from sellers.pages import StoryPage

    ids = [i for i in household_ids if i]
    if not ids:
        return {}
    stories = StoryPage.objects.live().filter(household_id__in=ids, household__consent_to_story=True)
    return {story.household_id: story.url for story in stories}


def products_sold_by_household(*, household: Household) -> QuerySet[Product]:
    return product_cards(
        public_products().filter(stockrecords__partner__seller__household=household).distinct()
    )


PAID_STATUSES = ("paid", "shipped", "delivered")


def _paid_lines_this_year():
    """Order lines of paid e-commerce sales since 1 January (China time)."""
    from django.utils import timezone

    from oscar.apps.order.models import Line

    now = timezone.localtime()
    start = now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    return Line.objects.filter(order__status__in=PAID_STATUSES, order__date_placed__gte=start)


def sales_this_year_by_partner(*, partner_ids) -> dict[int, Decimal]:
    """Each seller's paid e-commerce sales since 1 January (China time): the measure of
    who needs the next sale most, until the impact ledger credits income."""
    from django.db.models import Sum

    rows = (
        _paid_lines_this_year().filter(partner_id__in=partner_ids)
        .values("partner_id")
        .annotate(total=Sum("line_price_incl_tax"))
    )
    return {row["partner_id"]: row["total"] for row in rows}


def stockrecords_with_sales_this_year(records: QuerySet) -> QuerySet:
    """The stock records, each with its seller's `sales_this_year` (None: no sales), in
    one query. For display only: under a row lock, read the sales after the lock instead
    (`sales_this_year_by_partner`), or the sale the lock waited for would be missed."""
    from django.db.models import OuterRef, Subquery, Sum

    total = (
        _paid_lines_this_year().filter(partner_id=OuterRef("partner_id"))
        .values("partner_id")
        .annotate(total=Sum("line_price_incl_tax"))
        .values("total")
    )
    return records.annotate(sales_this_year=Subquery(total))
