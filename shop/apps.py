from importlib import import_module
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from oscar.config import Shop


class ShopConfig(AppConfig):
    default = True
    name = "shop"
    verbose_name = _("Wumeng Market")

    def import_models(self):
        super().import_models()  # shop.models: divisions, users, officials' regions
        # The Wagtail home page is a model of this app too, but of the site layer: it renders
        # the catalogue and the stories. It is imported here rather than from shop.models, so
        # that importing a Division does not load the storefront.
        import_module("shop.home.models")

    def ready(self):
        # The project's Celery app, so that `task.delay()` in the web process obeys the settings
        # (CELERY_TASK_ALWAYS_EAGER, the broker) instead of Celery's built-in default app.
        import_module("shop.celery")
        post_migrate.connect(site_named_after_site_url, sender=self)


SITE_NAME = "乌蒙优选 Wumeng Market"


def site_named_after_site_url(using: str, **kwargs) -> None:
    """Oscar's e-mails sign with django.contrib.sites' row, which Django creates as example.com:
    after every migrate it names this site and SITE_URL's host instead."""
    from django.contrib.sites.models import Site

    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": urlsplit(settings.SITE_URL).netloc, "name": SITE_NAME}
    )


class OscarShopConfig(Shop):
    """Oscar's root app without its redirect of "/" (Wagtail's home page owns "/")
    and with our database-backed search in place of Haystack's."""

    def get_urls(self):
        # Imported here, not at the top: Django imports this module while it registers the apps,
        # before any model can be loaded, and these views bring models with them.
        from wagtail import views as wagtail_views

        from catalogue.views import ProductSearchView

        urls = [u for u in super().get_urls() if str(u.pattern) not in ("", "search/")]
        search_urls = ([path("", ProductSearchView.as_view(), name="search")], "search")
        return [
            # Keep Oscar's "home" name working for its templates and redirects.
            path("", wagtail_views.serve, {"path": ""}, name="home"),
            path("search/", include(search_urls)),
            *urls,
        ]
