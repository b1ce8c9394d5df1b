import factory

from catalogue import services
from catalogue.models import Product, StorageClass


class ProductFactory(factory.Factory):
    """A pooled farm product in a category, created through the catalogue service."""

    class Meta:
        model = Product

    title = factory.Sequence(lambda n: f"测试农产品{n}")
    title_en = factory.Sequence(lambda n: f"Test produce {n}")
    category_slug = "poultry-eggs"
    kind = services.POOLED
    unit = "500 g"
    storage = StorageClass.AMBIENT

    @classmethod
    def _create(cls, model_class, *, category_slug, kind, **kwargs):
        category = services.categories_ensure()[category_slug]
        product_class = services.product_classes_ensure()[kind]
        return services.product_create(category=category, product_class=product_class, **kwargs)
