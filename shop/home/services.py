"""The site's home page: created once, at the root of the default Wagtail site."""

from django.conf import settings
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from shop.home.models import HomePage


@transaction.atomic
def home_page_ensure(*, title: str, hero_title: str, hero_title_en: str, intro: str, intro_en: str):
    """The site's one HomePage at the root of the default Site (replacing Wagtail's welcome page)."""
    home = HomePage.objects.first()
    if home is None:
        root = _wagtail_root()
        home = root.add_child(
            instance=HomePage(
                title=title, slug="home-wumeng", hero_title=hero_title, hero_title_en=hero_title_en,
                intro=intro, intro_en=intro_en,
            )
        )
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(hostname="localhost", root_page=home, is_default_site=True, site_name="Wumeng Market")
        else:
            old_root = site.root_page
            site.root_page = home
            site.save()
            if old_root.specific_class is Page and old_root.depth == 2:
                old_root.delete()  # Wagtail's placeholder welcome page
    return home


def _wagtail_root():
    """Wagtail's tree root, which its migrations create; recreated if a flush removed it."""
    root = Page.get_first_root_node()
    if root is None:
        locale, _created = Locale.objects.get_or_create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
        )
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    return root
