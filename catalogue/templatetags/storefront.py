from django import template
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from catalogue.pricing import offer_for, price_per_kg
from shop.core.i18n import wants_english

register = template.Library()


@register.filter
def offer(product):
    """Lowest available price and seller count, from prefetched stock records."""
    return offer_for(product)


@register.filter
def per_kg(price, product):
    return price_per_kg(price, product.net_weight_grams)


@register.filter
def first_image(product):
    images = list(product.images.all())
    return images[0] if images else None


@register.filter
def season(product):
    if product.is_all_year:
        return _("All year")
    return f"{MONTHS[product.season_start_month]} – {MONTHS[product.season_end_month]}"


@register.filter
def division_path(division):
    """云南省 昭通市 盐津县 庙坝镇 in Chinese; Miaoba Town, Yanjin County, … in English."""
    names = []
    while division is not None:
        names.append(division.display_name)
        division = division.parent
    return ", ".join(names) if wants_english() else " ".join(reversed(names))
