from decimal import Decimal

import factory

from catalogue import services
from catalogue.models import Product
from sellers.factories import HouseholdFactory
from sellers.services import household_seller_ensure, stock_offer


class ProductFactory(factory.Factory):
    """A pooled farm product in a category, created through the catalogue service."""

    class Meta:
        model = Product

    title = factory.Sequence(lambda n: f"测试农产品{n}")
    title_en = factory.Sequence(lambda n: f"Test produce {n}")
    category_slug = "poultry-eggs"
    kind = services.POOLED
    unit = "500 g"
    storage = "ambient"

    @classmethod
    def _create(cls, model_class, *, category_slug, kind, **kwargs):
        category = services.categories_ensure()[category_slug]
        product_class = services.product_classes_ensure()[kind]
        return services.product_create(category=category, product_class=product_class, **kwargs)


def product_with_sellers(*, sellers: int = 2, price=Decimal("88.00"), stock: int = 10, **product_kwargs) -> Product:
    """A product offered by `sellers` households, each with `stock` units."""
    product = ProductFactory(**product_kwargs)
    for _ in range(sellers):
        seller = household_seller_ensure(household=HouseholdFactory())
        stock_offer(seller=seller, product=product, price=price, stock=stock)
    return product
