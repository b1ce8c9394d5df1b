"""The households behind a product, for the product page.

A template tag rather than a value the catalogue's view passes in: the catalogue sits below
the sellers app and knows nothing of households; the page's template brings the two together."""

from django import template

from sellers.selectors import SellerOnPage, sellers_of_product

register = template.Library()


@register.simple_tag
def product_sellers(product) -> list[SellerOnPage]:
    """What a buyer may see of each seller of `product` (its stock records prefetched)."""
    return sellers_of_product(product=product)
