from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from catalogue.images import renditions
from catalogue.models import Category, Product, ProductClass, ProductImage, StorageClass
from catalogue.selectors import clear_navigation_cache
from sellers.partner.lock_objects import stock_records_for_update
from sellers.partner.models import StockRecord
from shop.core.money import round_to_fen
from shop.models import Division


@dataclass(frozen=True)
class CategorySpec:
    slug: str
    name: str
    name_en: str


# The storefront's top-level categories (slugs are stable: URLs and the API use them).
CATEGORIES = [
    CategorySpec("poultry-eggs", "禽肉蛋品", "Poultry and eggs"),
    CategorySpec("fruit", "新鲜水果", "Fruit"),
    CategorySpec("mountain-produce", "山珍特产", "Mountain produce"),
    CategorySpec("grain-flour", "粮油米面", "Grain and flour"),
    CategorySpec("vegetables", "时令蔬菜", "Vegetables"),
    CategorySpec("handicrafts", "民族手工艺", "Handicrafts"),
]

POOLED = "pooled"  # farm goods many households sell under one listing
HANDMADE = "handmade"  # unique pieces by one maker


def categories_ensure() -> dict[str, Category]:
    """Create the top-level categories once; rename them if their names changed."""
    existing = {c.slug: c for c in Category.get_root_nodes()}
    for spec in CATEGORIES:
        category = existing.get(spec.slug)
        if category is None:
            existing[spec.slug] = Category.add_root(slug=spec.slug, name=spec.name, name_en=spec.name_en)
        elif (category.name, category.name_en) != (spec.name, spec.name_en):
            category.name, category.name_en = spec.name, spec.name_en
            category.save()
    clear_navigation_cache(languages=settings.LANGUAGES)
    return existing


def product_classes_ensure() -> dict[str, ProductClass]:
    pooled, _ = ProductClass.objects.get_or_create(
        slug=POOLED, defaults={"name": "农产品(多户联合供货)", "track_stock": True, "requires_shipping": True}
    )
    handmade, _ = ProductClass.objects.get_or_create(
        slug=HANDMADE, defaults={"name": "手工艺品(一人一件)", "track_stock": True, "requires_shipping": True}
    )
    return {POOLED: pooled, HANDMADE: handmade}


@transaction.atomic
def product_create(
    *,
    title: str,
    category: Category,
    product_class: ProductClass,
    origin: Division | None = None,
    title_en: str = "",
    description: str = "",
    description_en: str = "",
    unit: str = "",
    unit_en: str = "",
    net_weight_grams: int | None = None,
    season: tuple[int, int] | None = None,
    storage: str = StorageClass.AMBIENT,
    shelf_life_days: int | None = None,
    certificate_number: str = "",
    certificate_expires: date | None = None,
    gi_mark: str = "",
    gi_area: Division | None = None,
    price: Decimal | None = None,
    upc: str | None = None,
) -> Product:
    product = Product(
        title=title,
        title_en=title_en,
        description=description,
        description_en=description_en,
        product_class=product_class,
        structure=Product.STANDALONE,
        origin=origin,
        unit=unit,
        unit_en=unit_en,
        net_weight_grams=net_weight_grams,
        season_start_month=season[0] if season else None,
        season_end_month=season[1] if season else None,
        storage=storage,
        shelf_life_days=shelf_life_days,
        certificate_number=certificate_number,
        certificate_expires=certificate_expires,
        gi_mark=gi_mark,
        gi_area=gi_area,
        price=round_to_fen(price) if price is not None else None,
        upc=upc,
    )
    product.full_clean(exclude=["slug"])
    product.save()
    product.categories.add(category)
    return product


@transaction.atomic
def product_price_set(*, product: Product, price: Decimal) -> Product:
    """Set the one price buyers pay for `product`, whichever household fills the order; every
    stock record of it carries the same price (rows locked in id order, price field only)."""
    price = round_to_fen(price)
    if price <= 0:
        raise ValidationError({"price": [_("The price must be more than zero.")]})
    records = list(stock_records_for_update(product=product))
    for record in records:
        record.price = price
    StockRecord.objects.bulk_update(records, ["price"])
    product.price = price
    product.save(update_fields=["price"])
    return product


def product_image_add(*, product: Product, data: bytes, caption: str = "", listing=None) -> ProductImage:
    """Store a photo without its metadata, with the storefront's WebP renditions. A photo for one
    household's `listing` of a product waits for the operator's review before it shows."""
    files = renditions(data, stem=f"p{product.pk}-{product.images.count()}")
    image = ProductImage(
        product=product, caption=caption, display_order=product.images.count(),
        listing=listing, is_approved=listing is None,
    )
    for field, content in files.items():
        getattr(image, field).save(content.name, content, save=False)
    image.save()
    return image
