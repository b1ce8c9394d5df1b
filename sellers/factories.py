import random
from decimal import Decimal

import factory
from django.utils import timezone

from catalogue.factories import ProductFactory
from catalogue.models import Product
from sellers import services, synthetic
from sellers.models import Household
from shop.factories import DivisionFactory


class HouseholdFactory(factory.Factory):
    """A synthetic household registered through the real service."""

    class Meta:
        model = Household

    township = factory.SubFactory(DivisionFactory)
    registry_id = factory.Sequence(lambda n: f"TEST{n:08d}")
    seed = factory.Sequence(lambda n: n)

    @classmethod
    def _create(cls, model_class, *, township, registry_id, seed, recorded_by=None, **overrides):
        data = synthetic.household_data(
            random.Random(seed), township=township, registry_id=registry_id, this_year=timezone.localdate().year
        )
        data.update(overrides)
        return services.household_register(**data, recorded_by=recorded_by)


def product_with_sellers(*, sellers: int = 2, price=Decimal("88.00"), stock: int = 10, **product_kwargs) -> Product:
    """A product offered by `sellers` households, each with `stock` units."""
    product = ProductFactory(**product_kwargs)
    for _ in range(sellers):
        seller = services.household_seller_ensure(household=HouseholdFactory())
        services.stock_offer(seller=seller, product=product, price=price, stock=stock)
    return product
