"""What a buyer sees of the price and stock of a product sold by several sellers,
computed from prefetched stock records so a listing costs no extra query."""

from dataclasses import dataclass
from decimal import Decimal

from shop.core.money import Currency, round_to_fen


@dataclass(frozen=True)
class Offer:
    price: Decimal | None
    currency: str
    in_stock: bool
    sellers: int


def offer_for(product) -> Offer:
    """The product's one price (whichever household fills the order), whether any household has
    stock of it, and how many sell it."""
    records = list(product.stockrecords.all())
    return Offer(
        price=product.price,
        currency=product.price_currency or Currency.CNY,
        in_stock=any(r.net_stock_level > 0 for r in records),
        sellers=len({r.partner_id for r in records}),
    )


def price_per_kg(price: Decimal | None, net_weight_grams: int | None) -> Decimal | None:
    """The price of one kilogram, so buyers can compare pack sizes (None when unknown)."""
    if price is None or not net_weight_grams:
        return None
    return round_to_fen(price * 1000 / net_weight_grams)
