"""Reads for the storefront. Every listing goes through `product_cards`, which
loads a page of products in a fixed number of queries whatever its size."""

from django.core.cache import cache
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce

from catalogue.models import Category, Product, ProductImage
from sellers.partner.models import StockRecord

NAV_CACHE_KEY = "catalogue:nav:{language}"
# Stock that may be sold: a household's only while it consents to selling through the platform
# (the platform's own stock and cooperatives' have no household). Cards, listings and the
# allocation of orders all count by this one rule.
SELLABLE = Q(partner__seller__household__isnull=True) | Q(partner__seller__household__consent_to_sell=True)


def navigation_categories(*, language: str) -> list[dict]:
    """Top-level categories for the menu, cached per language (cleared when a category changes)."""
    key = NAV_CACHE_KEY.format(language=language)
    items = cache.get(key)
    if items is None:
        items = [
            {"name": c.display_name, "url": c.get_absolute_url(), "slug": c.slug}
            for c in Category.get_root_nodes().filter(is_public=True)
        ]
        cache.set(key, items, 60 * 60)
    return items


def clear_navigation_cache(*, languages) -> None:
    cache.delete_many([NAV_CACHE_KEY.format(language=code) for code, _name in languages])


def public_products() -> QuerySet[Product]:
    return Product.objects.filter(is_public=True, structure__in=[Product.STANDALONE, Product.PARENT])


def in_stock_first(products: QuerySet[Product]) -> QuerySet[Product]:
    """Goods that can be bought now before sold-out ones, then by priority and newest."""
    available = StockRecord.objects.filter(
        SELLABLE, product=OuterRef("pk"), num_in_stock__gt=Coalesce(F("num_allocated"), 0)
    )
    return products.annotate(available=Exists(available)).order_by("-available", "-priority", "-date_created", "id")


def product_cards(queryset: QuerySet[Product], *, stockrecords: QuerySet | None = None) -> QuerySet[Product]:
    """What a product card shows: origin, images, and each seller's stock and price."""
    if stockrecords is None:
        stockrecords = StockRecord.objects.all()
    stockrecords = stockrecords.filter(SELLABLE)
    return queryset.select_related("origin__parent", "product_class").prefetch_related(
        Prefetch("images", queryset=ProductImage.objects.filter(is_approved=True).order_by("display_order", "id")),
        Prefetch("stockrecords", queryset=stockrecords.order_by("price", "id")),
    )


def products_in_category(*, category: Category) -> QuerySet[Product]:
    """Products in the category or any category below it."""
    return public_products().filter(categories__path__startswith=category.path).distinct()


def products_matching(*, query: str) -> QuerySet[Product]:
    """A plain database search over titles, descriptions, categories and origin, in
    both languages. Chinese needs no word splitting for a substring match."""
    terms = query.split()
    products = public_products()
    for term in terms:
        products = products.filter(
            Q(title__icontains=term)
            | Q(title_en__icontains=term)
            | Q(description__icontains=term)
            | Q(description_en__icontains=term)
            | Q(categories__name__icontains=term)
            | Q(categories__name_en__icontains=term)
            | Q(origin__name__icontains=term)
            | Q(origin__parent__name__icontains=term)
            | Q(gi_mark__icontains=term)
        )
    return products.distinct()


def products_sold_by_household(*, household_id: int) -> QuerySet[Product]:
    """The cards of the products a household sells (its story page lists them)."""
    return product_cards(public_products().filter(stockrecords__partner__seller__household_id=household_id).distinct())


def product_for_detail(*, pk: int) -> Product:
    """One product with everything its page shows, sellers and their households included."""
    sellers = StockRecord.objects.select_related(
        "partner__seller__household__township", "partner__seller__township"
    )
    return (
        product_cards(Product.objects.filter(is_public=True), stockrecords=sellers)
        .prefetch_related("categories")
        .get(pk=pk)
    )
