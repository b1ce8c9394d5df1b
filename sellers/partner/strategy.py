"""Pricing and availability for a request: Oscar's structured strategy with our fair
choice of seller. Prices include any VAT (farm produce is sold at the shelf price)."""

from oscar.apps.partner import strategy
from oscar.apps.partner.availability import Unavailable
from oscar.apps.partner.prices import FixedPrice
from oscar.apps.partner.prices import Unavailable as UnavailablePrice

from sellers.partner.allocation import fair_pick, stockrecords_for_fair_pick


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
            # with their sellers' sales and consent, in one query.
            records = stockrecords_for_fair_pick(product.stockrecords.all())
            self._fair_picks[product.pk] = fair_pick(records)
        return self._fair_picks[product.pk]


class OnePricePublished:
    """The buyer pays the product's one price, whichever household is picked; a product that is
    not published cannot be bought at all (in the basket, at checkout, anywhere)."""

    def pricing_policy(self, product, stockrecord):
        if not stockrecord or product.price is None:
            return UnavailablePrice()
        return FixedPrice(currency=product.price_currency, excl_tax=product.price, tax=0)

    def availability_policy(self, product, stockrecord):
        if not product.is_public:
            return Unavailable()
        return super().availability_policy(product, stockrecord)


class WumengStrategy(FairShare, OnePricePublished, strategy.StockRequired, strategy.Structured):
    pass


class Selector:
    def strategy(self, request=None, user=None, **kwargs):
        return WumengStrategy(request)
