"""Checkout: Oscar's flow with the payment step ours.

With Stripe keys, the buyer pays on the payment page (card through Stripe Elements, Alipay,
WeChat Pay) and the order is placed "pending" once Stripe has the money; its signed webhook
marks it paid. Without keys (the demo and the tests) a clearly labelled demo payment
completes orders offline; production settings never allow it."""

import logging
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from oscar.apps.address.models import UserAddress
from oscar.apps.checkout import views
from oscar.apps.order.exceptions import UnableToPlaceOrder
from oscar.apps.payment.exceptions import PaymentError, UnableToTakePayment
from oscar.apps.payment.models import Source, SourceType
from oscar.templatetags.currency_filters import currency

from shop.core.money import round_to_fen
from shop.order.models import BillingAddress, Line, Order, ShippingAddress
from shop.order.statuses import PAID_EVENT, OrderStatus
from shop.order.tasks import email_order_placed
from shop.payments.stripe.client import PaymentDeclined, PaymentProviderError
from shop.payments.stripe.services import source_type_stripe
from shop.shipping.repository import Repository

from .stripe_step import AuthenticationRequired, checkout_intent, payment_refund_unplaced, payment_take

logger = logging.getLogger(__name__)

DEMO_SOURCE = "demo"


def confirmed_total(text: str) -> Decimal | None:
    """The total the buyer saw and confirmed, as the page sent it back (None if unreadable)."""
    try:
        total = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    return round_to_fen(total) if total.is_finite() else None


def demo_payment_available() -> bool:
    return not settings.STRIPE_SECRET_KEY and getattr(settings, "DEMO_ALLOWED", False)


def stripe_payment_available() -> bool:
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY)


class ShippingAddressView(views.ShippingAddressView):
    def get_success_url(self):
        """Where Oscar's shipping-method step would send the buyer straight on: with one way to
        ship (the station delivery is the only one) it chooses it and redirects to the payment
        page. Choosing it here spares the buyer that step's redirect: one request, with its
        basket, offers and delivery charge, on every checkout."""
        basket = self.request.basket
        methods = Repository().get_shipping_methods(
            basket=basket, user=self.request.user, shipping_addr=self.get_shipping_address(basket), request=self.request
        )
        if len(methods) != 1:
            return reverse("checkout:shipping-method")  # none, or a choice: that step says so
        self.checkout_session.use_shipping_method(methods[0].code)
        return reverse("checkout:payment-details")


class ShippingMethodView(views.ShippingMethodView):
    # Oscar's payment-method step only redirects to the payment page (its checks are the
    # payment page's too): go there directly, one request fewer.
    success_url = reverse_lazy("checkout:payment-details")


class PaymentDetailsView(views.PaymentDetailsView):
    # The intent this request confirmed or checked (for the page's next step, or a refund).
    stripe_intent = None

    def send_order_placed_email(self, order):
        """The confirmation e-mail, queued once the order commits and sent by a worker
        (shop/order/confirmation.py): the mail server is neither waited for while the order's
        stock rows are locked nor able to undo a paid order."""
        order_id, language = order.pk, get_language()
        status_path = self.order_status_path(order)
        # robust: a broker that is down loses the e-mail, not the committed order.
        transaction.on_commit(lambda: email_order_placed.delay(order_id, language, status_path), robust=True)

    def order_status_path(self, order) -> str:
        """The buyer's page of the order, as Oscar's e-mail context links it: a guest's carries
        the order's verification hash."""
        if self.request.user.is_authenticated:
            return reverse("customer:order", kwargs={"order_number": order.number})
        return reverse("customer:anon-order", kwargs={"order_number": order.number, "hash": order.verification_hash()})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(demo_payment=demo_payment_available(), **kwargs)
        if stripe_payment_available() and not self.preview:
            context["stripe_mode"] = True
            context["stripe"] = self.stripe_page_config(context["order_total"])
            context["stripe_js_url"] = settings.STRIPE_JS_URL
        return context

    def stripe_page_config(self, total) -> dict | None:
        """What the payment page's script needs (rendered with json_script)."""
        try:
            intent = self.stripe_intent or checkout_intent(
                self.checkout_session, order_number=str(self.generate_order_number(self.request.basket)), total=total
            )
        except PaymentProviderError:
            logger.exception("No PaymentIntent for basket %s", self.request.basket.id)
            return None
        return {
            "publishableKey": settings.STRIPE_PUBLISHABLE_KEY,
            "locale": "zh" if get_language().startswith("zh") else "en",
            "clientSecret": intent.client_secret,
            "intent": intent.id,
            # Set when the bank wants the buyer to confirm the card payment just submitted.
            "authenticate": intent.status == "requires_action",
            "returnUrl": self.request.build_absolute_uri(reverse("checkout:stripe-return")),
            "messages": {
                "cardIncomplete": _("Please enter your card details."),
                "notAvailable": _("This payment method is not available here. Please pay by card."),
                "working": _("Paying…"),
            },
        }

    def render_preview(self, request, **kwargs):
        # Stripe's payment page is also its review page: errors go back to it.
        if stripe_payment_available():
            return self.render_payment_details(request, **kwargs)
        return super().render_preview(request, **kwargs)

    def handle_place_order_submission(self, request):
        """Place the order only at the total the buyer confirmed on the page (sent back with the
        form): if a price changed since, nothing is charged and the buyer goes back to the basket."""
        submission = self.build_submission()
        total = submission["order_total"]
        confirmed = confirmed_total(request.POST.get("confirmed_total", ""))
        if confirmed != round_to_fen(total.incl_tax):
            messages.warning(request, _(
                "The total of your order is now %(now)s, not the %(confirmed)s shown before: a price changed. "
                "Nothing was charged. Please check your basket and confirm again."
            ) % {"now": currency(total.incl_tax, total.currency),
                 "confirmed": currency(confirmed, total.currency) if confirmed is not None else "—"})
            return redirect("basket:summary")
        return self.submit(**submission)

    def build_submission(self, **kwargs):
        submission = super().build_submission(**kwargs)
        if stripe_payment_available():
            data = self.request.POST if self.request.method == "POST" else self.request.GET
            submission["payment_kwargs"] = {
                "payment_method": data.get("payment_method", ""),
                "payment_intent": data.get("payment_intent", ""),
            }
        return submission

    def handle_payment(self, order_number, total, payment_method="", payment_intent="", **kwargs):
        if stripe_payment_available():
            self.handle_stripe_payment(order_number, total, payment_method, payment_intent)
        elif demo_payment_available():
            self.handle_demo_payment(order_number, total)
        else:
            raise PaymentError(_("Card, Alipay and WeChat Pay are not available yet. Please try again later."))

    def handle_stripe_payment(self, order_number, total, payment_method, payment_intent):
        try:
            intent = payment_take(
                self.checkout_session, order_number=str(order_number), total=total,  # Oscar's numbers are ints
                payment_method=payment_method, payment_intent=payment_intent,
            )
        except AuthenticationRequired as required:
            self.stripe_intent = required.intent
            raise
        except PaymentDeclined as declined:
            raise UnableToTakePayment(str(declined)) from declined
        except PaymentProviderError as error:
            raise PaymentError(str(error)) from error
        self.stripe_intent = intent
        # The money is recorded (debited) when Stripe's webhook says it arrived.
        self.add_payment_source(
            Source(source_type=source_type_stripe(), currency=total.currency,
                   amount_allocated=total.incl_tax, reference=intent.id)
        )

    def handle_demo_payment(self, order_number, total):
        source_type, _created = SourceType.objects.get_or_create(code=DEMO_SOURCE, defaults={"name": "演示付款 Demo payment"})
        self.add_payment_source(
            Source(source_type=source_type, currency=total.currency, amount_allocated=total.incl_tax,
                   amount_debited=total.incl_tax, reference=f"demo-{order_number}")
        )
        self.add_payment_event(PAID_EVENT, total.incl_tax, reference=f"demo-{order_number}")

    def handle_order_placement(self, *args, **kwargs):
        try:
            return super().handle_order_placement(*args, **kwargs)
        except Exception as error:
            if self.stripe_intent is None:
                raise
            # Paid, but the goods sold out meanwhile (or worse): the buyer must not pay for nothing.
            refunded = payment_refund_unplaced(self.stripe_intent)
            reason = str(error) if isinstance(error, UnableToPlaceOrder) else _("We could not place your order.")
            if refunded:
                raise UnableToPlaceOrder(_("%(reason)s Your payment was refunded in full.") % {"reason": reason}) from error
            raise UnableToPlaceOrder(
                _("%(reason)s Your payment will be refunded; we have been told.") % {"reason": reason}
            ) from error

    def update_address_book(self, user, addr):
        """Oscar's, without reading the address's country a second time for the saved copy."""
        try:
            user_addr = user.addresses.get(hash=addr.generate_hash())
        except UserAddress.DoesNotExist:
            user_addr = UserAddress(user=user)
            addr.populate_alternative_model(user_addr)
        if user_addr.country_id == addr.country_id:
            user_addr.country = addr.country  # its save() reads the country for its hash
        if isinstance(addr, ShippingAddress):
            user_addr.num_orders_as_shipping_address += 1
        if isinstance(addr, BillingAddress):
            user_addr.num_orders_as_billing_address += 1
        user_addr.save()

    def get_initial_order_status(self, basket):
        # A demo payment is settled at once; real payments wait for Stripe's webhook.
        return OrderStatus.PAID if demo_payment_available() else settings.OSCAR_INITIAL_ORDER_STATUS


class StripeReturnView(PaymentDetailsView):
    """Where Stripe sends the buyer back after paying in Alipay: place the order for the
    intent named in the address (it must be this checkout's own)."""

    preview = True

    def get(self, request, *args, **kwargs):
        if not stripe_payment_available():
            return HttpResponseBadRequest()
        return self.submit(**self.build_submission())


class ThankYouView(views.ThankYouView):
    def get_object(self, queryset=None):
        """The order, with what the page shows of it read together: its address, payment
        sources and lines with their goods (one query for each kind, not one for each use)."""
        order_id = self.request.session.get("checkout_order_id")
        if self.request.user.is_superuser or order_id is None:
            return super().get_object(queryset)
        lines = Line.objects.select_related("product").prefetch_related("attributes", "product__images")
        order = (
            Order.objects.filter(pk=order_id)
            .select_related("shipping_address__country")
            .prefetch_related(Prefetch("lines", queryset=lines), "sources__source_type", "surcharges")
            .first()
        )
        if order is not None and self.request.user.is_authenticated and order.user_id == self.request.user.pk:
            order.user = self.request.user  # known: not read again (a guest's order has no user)
        return order
