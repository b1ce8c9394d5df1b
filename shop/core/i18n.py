"""Content in two languages: Chinese in the main field, English in `<field>_en`."""

from django.utils.translation import get_language


def wants_english() -> bool:
    return (get_language() or "").startswith("en")


def localized(obj, field: str) -> str:
    """The English text when the page is in English and one was written; else Chinese."""
    if wants_english():
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field)
