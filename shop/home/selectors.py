from catalogue.selectors import product_cards, public_products
from logistics.models import Station
from sellers.models import StoryPage


def home_page_sections(*, page) -> dict:
    """The home page's featured products, newest household stories and stations."""
    featured_ids = list(page.featured_products.values_list("product_id", flat=True))
    products = product_cards(public_products().filter(pk__in=featured_ids))
    order = {pk: i for i, pk in enumerate(featured_ids)}
    return {
        "featured_products": sorted(products, key=lambda p: order[p.pk]),
        "stories": StoryPage.objects.live()
        .filter(household__consent_to_story=True)
        .select_related("household__township", "photo")
        .order_by("-first_published_at")[:3],
        "stations": Station.objects.filter(is_active=True).select_related("township__parent"),
        "product_count": public_products().count(),
    }
