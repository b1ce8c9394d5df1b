"""Oscar's basket middleware, reading a request's basket in fewer queries.

Every storefront and checkout request that touches `request.basket` paid Oscar's COUNT of the
lines (to ask whether the basket is empty) before reading the lines anyway, one query for each
product's class (asked whether it ships and whether its stock is tracked), and one for the
vouchers each time offers were looked up (twice on the basket page, three times when an order
is placed). Here the lines come with their products' classes, and the count and the vouchers
are answered from what was read once. Nothing is kept beyond the request: prices and stock are
read fresh each time."""

from django.db.models import prefetch_related_objects
from oscar.apps.basket import middleware


class BasketMiddleware(middleware.BasketMiddleware):
    def get_basket(self, request):
        if request._basket_cache is not None:
            return request._basket_cache
        basket = super().get_basket(request)
        if basket.id is not None:
            # Oscar's own query for the lines (`Basket.all_lines`), with each product's class.
            # Oscar drops it whenever the lines change, and reads them again its own way.
            basket._lines = (
                basket.lines.select_related("product__product_class", "stockrecord")
                .prefetch_related("attributes", "product__images")
                .order_by("pk")
            )
            # Adding or removing a voucher clears this (Django drops a prefetched relation it changes).
            prefetch_related_objects([basket], "vouchers")
        return basket

    def apply_offers_to_basket(self, request, basket):
        # `basket.is_empty` would COUNT the lines; reading them answers it, and every later use
        # of the lines (offers, totals, shipping, the checkout's checks) reuses them.
        if basket.id is not None and basket.all_lines():
            middleware.Applicator().apply(basket, request.user, request)
