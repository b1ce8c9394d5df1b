"""Where the buyer's money goes, for the storefront's pages and e-mails: the price breakdown on
the product page and the impact receipt of an order.

Template tags rather than values the views pass in (as `sellers.templatetags.households`): the
catalogue's product page and Oscar's order page and e-mail sit outside this app, and the
templates bring the two together."""

from decimal import Decimal

from django import template
from oscar.core.loading import get_class

from impact.fees import price_breakdown
from impact.models import LedgerEntry
from impact.receipts import lines_receipt_forecast, order_impact, receipt_summary

register = template.Library()


def offered_stockrecord(product):
    """The stock record a buyer is offered now: the one the configured pricing strategy picks
    (ours picks fairly, `sellers.partner.allocation.fair_pick`), found among the product's
    prefetched records so its seller comes loaded. Asked through Oscar's strategy selector,
    Oscar's own extension point, rather than by importing the commerce layer (one query)."""
    selector = get_class("partner.strategy", "Selector")()
    picked = selector.strategy().select_stockrecord(product)
    if picked is None:
        return None
    return next((r for r in product.stockrecords.all() if r.pk == picked.pk), picked)


@register.simple_tag
def product_price_breakdown(product):
    """The price breakdown of one unit of `product` from the household (or cooperative) a buyer
    is offered now, or None. Rendered inside the product page's cached fragment: the fee rules'
    query (and the station's, the pick's) runs once per catalogue version, not per visit; a
    change of the fee rules drops the fragment (`impact.receivers`)."""
    return price_breakdown(product=product, stockrecord=offered_stockrecord(product), price=product.price)


@register.simple_tag
def order_receipt(order, *, forecast: bool = False) -> dict | None:
    """The impact receipt of `order` from the ledger, or None while nothing has been credited.
    With `forecast`, an order not credited yet (awaiting its payment) gets what will be
    credited once it is paid, marked as such (the confirmation e-mail)."""
    # The e-mail renders its text and its HTML body from one order object: one reading for both.
    memo = order.__dict__.setdefault("_impact_receipts", {})
    if forecast not in memo:
        memo[forecast] = _receipt(order, forecast=forecast)
    return memo[forecast]


def _receipt(order, *, forecast: bool) -> dict | None:
    rows = order_impact(order_id=order.pk)
    if rows:
        return receipt_summary(rows)
    if forecast and not _ever_credited(order):
        rows = lines_receipt_forecast(lines=order.lines.all())
        return receipt_summary(rows, forecast=True) if rows else None
    return None


def _ever_credited(order) -> bool:
    return LedgerEntry.objects.filter(order_id=order.pk).exists()


@register.filter
def percent(rate: Decimal) -> str:
    """0.0500 → "5", 0.0450 → "4.5": a share of the price as a percentage, without trailing zeros."""
    text = f"{(rate * 100).quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
