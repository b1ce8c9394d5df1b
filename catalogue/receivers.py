from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from catalogue.models import Category
from catalogue.selectors import clear_navigation_cache
import oscar.apps.catalogue.receivers  # noqa: F401  (keep Oscar's own receivers)


@receiver([post_save, post_delete], sender=Category)
def forget_navigation(**kwargs):
    clear_navigation_cache(languages=settings.LANGUAGES)
