"""The buyer's order confirmation e-mail (Oscar's ORDER_PLACED message, with the impact receipt),
sent by a Celery worker once the order has committed.

Not in the checkout's request: it runs inside the request's transaction, which holds the order's
stock rows locked, so every other buyer of those goods would wait for the mail server to answer;
and a mail server that is down must not undo a paid order. Returns False when the message could
not be sent: the task tries again (the buyer may then get it twice, rather than never)."""

import logging

from django.conf import settings
from django.db.models import Prefetch
from django.utils import translation
from oscar.core.loading import get_class

from shop.order.models import Line, Order

logger = logging.getLogger(__name__)
OrderDispatcher = get_class("order.utils", "OrderDispatcher")


def order_placed_email(*, order_id: int, language: str, status_path: str | None) -> bool:
    """Send order `order_id`'s confirmation in `language`; `status_path` is the buyer's page of the
    order (the signed-in buyer's, or a guest's with its verification hash)."""
    lines = Line.objects.select_related("product").order_by("pk")
    order = (
        Order.objects.filter(pk=order_id)
        .select_related("user", "shipping_address__country")
        .prefetch_related(Prefetch("lines", queryset=lines), "surcharges")
        .first()
    )
    if order is None:
        return True
    context = {"user": order.user, "order": order, "lines": order.lines.all()}
    if status_path:
        # The link is SITE_URL's (the worker has no request to take the host from); Oscar's own
        # templates read the path too.
        context |= {"status_path": status_path, "status_url": settings.SITE_URL + status_path}
    with translation.override(language):
        try:
            OrderDispatcher(logger=logger).send_order_placed_email_for_user(order, context)
        except Exception:
            logger.exception("The confirmation e-mail of order %s could not be sent", order.number)
            return False
    return True
