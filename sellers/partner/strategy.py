"""Pricing and availability for a request: Oscar's structured strategy with our fair
choice of seller. Prices include any VAT (farm produce is sold at the shelf price)."""

from oscar.apps.partner import strategy

from sellers.allocation import fair_pick


class FairShare:
    """Offer the product from the household that has sold least this year."""

    def select_stockrecord(self, product):
        return fair_pick(product.stockrecords.all())


class WumengStrategy(FairShare, strategy.StockRequired, strategy.NoTax, strategy.Structured):
    pass


class Selector:
    def strategy(self, request=None, user=None, **kwargs):
        return WumengStrategy(request)
