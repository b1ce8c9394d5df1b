from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from shop.core.errors import InvalidInput
from shop.order.models import Order
from shop.order.refunds import delivery_refunded, order_refund, refunded_quantities


@staff_member_required(login_url="customer:login")
def refund(request, number):
    """The operator refunds some or all units of an order's lines."""
    order = get_object_or_404(Order, number=number)
    already = refunded_quantities(order=order)
    lines = [(line, line.quantity - already.get(line.pk, 0)) for line in order.lines.all()]
    delivery_left = order.shipping_incl_tax - delivery_refunded(
        order=order, lines={line.pk: line for line, _ in lines}, refunded=already
    )
    error = None
    if request.method == "POST":
        try:
            quantities = {line.pk: int(request.POST.get(f"line-{line.pk}") or 0) for line, _left in lines}
            delivery = Decimal(request.POST.get("delivery") or "0")
            if not delivery.is_finite():
                raise InvalidOperation
            order_refund(order=order, quantities=quantities, by=request.user, reason=request.POST.get("reason", ""),
                         delivery=delivery)
        except ValueError:
            error = _("Quantities must be whole numbers.")
        except InvalidOperation:
            error = _("Enter the delivery to refund in yuan, e.g. 12.00.")
        except InvalidInput as failure:
            error = " ".join([failure.message, *[m for ms in failure.fields.values() for m in ms]])
        else:
            messages.success(request, _("Refund recorded."))
            return redirect("dashboard:order-detail", number=order.number)
    return render(request, "oscar/dashboard/orders/refund.html", {
        "order": order, "lines": lines, "error": error, "delivery_left": delivery_left,
    })
