import csv
from pathlib import Path

from django.db import transaction

from shop.models import Division
from shop.romanize import english_name

DIVISIONS_FILE = Path(__file__).parent / "data" / "zhaotong_divisions.csv"


@transaction.atomic
def divisions_load(*, path: Path = DIVISIONS_FILE) -> int:
    """Load the official division codes (parents before children); safe to re-run."""
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:  # the file lists parents first
        Division.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "name_en": english_name(row["name"]),
                "level": row["level"],
                "parent_id": row["parent_code"] or None,
            },
        )
    return len(rows)


@transaction.atomic
def home_page_ensure(*, title: str, hero_title: str, hero_title_en: str, intro: str, intro_en: str):
    """The site's one HomePage at the root of the default Site (replacing Wagtail's welcome page)."""
    from wagtail.models import Page, Site

    from shop.models import HomePage

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
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale, Page

    root = Page.get_first_root_node()
    if root is None:
        locale, _created = Locale.objects.get_or_create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
        )
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    return root
