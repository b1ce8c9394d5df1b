from django.urls import translate_url
from django.utils.translation import get_language

from catalogue.selectors import navigation_categories


def site_navigation(request):
    """Top-level categories for the menu and the same page's address in the other language."""
    language = get_language()
    other = "en" if language.startswith("zh") else "zh-hans"
    return {
        "nav_categories": navigation_categories(language=language),
        "other_language": other,
        "other_language_url": translate_url(request.get_full_path(), other),
    }
