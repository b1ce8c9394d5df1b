"""Pricing and availability for a request: Oscar's structured strategy with our fair
choice of seller. Prices include any VAT (farm produce is sold at the shelf price)."""

from oscar.apps.partner import strategy

from sellers.partner.allocation import fair_pick, stockrecords_with_sales_this_year


class FairShare:
    """Offer the product from the household that has sold least this year."""

    def __init__(self, request=None):
        super().__init__(request)
        # A strategy lives for one request (Oscar's middleware makes a new one each time),
        # and Oscar asks it about the same product several times per request: the add
        # form, the basket and every line's price. One fair choice per product and request.
        self._fair_picks = {}

    def select_stockrecord(self, product):
        if product.pk not in self._fair_picks:
            # The product's records (as prefetched, if they were: same rows, same order)
            # and their sellers' sales in one query.
            records = stockrecords_with_sales_this_year(product.stockrecords.all())
            self._fair_picks[product.pk] = fair_pick(records)
        return self._fair_picks[product.pk]


class WumengStrategy(FairShare, strategy.StockRequired, strategy.NoTax, strategy.Structured):
    pass


class Selector:
    def strategy(self, request=None, user=None, **kwargs):
        return WumengStrategy(request)
