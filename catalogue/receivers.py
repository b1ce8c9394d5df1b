import oscar.apps.catalogue.receivers  # noqa: F401  (keep Oscar's own receivers)
from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from catalogue.caching import catalogue_changed
from catalogue.models import Category, Product, ProductCategory, ProductImage
from catalogue.selectors import clear_navigation_cache
from sellers.partner.models import Partner, StockRecord


@receiver([post_save, post_delete], sender=Category)
def forget_navigation(**kwargs):
    clear_navigation_cache(languages=settings.LANGUAGES)


for model in (Product, ProductCategory, ProductImage, StockRecord, Category, Partner):
    post_save.connect(catalogue_changed, sender=model, dispatch_uid=f"catalogue_changed_save_{model.__name__}")
    post_delete.connect(catalogue_changed, sender=model, dispatch_uid=f"catalogue_changed_delete_{model.__name__}")
# The product page shows its sellers and their households (lazy references: sellers is its own app).
for label in ("sellers.Seller", "sellers.Household", "sellers.StoryPage"):
    post_save.connect(catalogue_changed, sender=label, dispatch_uid=f"catalogue_changed_save_{label}")
m2m_changed.connect(catalogue_changed, sender=Product.categories.through, dispatch_uid="catalogue_changed_m2m")
