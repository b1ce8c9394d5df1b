"""Checkout: Oscar's flow with the payment step ours. Without Stripe keys (the demo and
the tests) a clearly labelled demo payment completes orders offline; production
settings never allow it."""

from django.conf import settings
from django.utils.translation import gettext as _
from oscar.apps.checkout import views
from oscar.apps.payment.exceptions import PaymentError
from oscar.apps.payment.models import Source, SourceType

DEMO_SOURCE = "demo"


def demo_payment_available() -> bool:
    return not settings.STRIPE_SECRET_KEY and getattr(settings, "DEMO_ALLOWED", False)


class PaymentDetailsView(views.PaymentDetailsView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(demo_payment=demo_payment_available(), **kwargs)

    def handle_payment(self, order_number, total, **kwargs):
        if not demo_payment_available():
            raise PaymentError(_("Card, Alipay and WeChat Pay are not available yet. Please try again later."))
        source_type, _created = SourceType.objects.get_or_create(code=DEMO_SOURCE, defaults={"name": "演示付款 Demo payment"})
        self.add_payment_source(
            Source(source_type=source_type, currency=total.currency, amount_allocated=total.incl_tax,
                   amount_debited=total.incl_tax, reference=f"demo-{order_number}")
        )
        self.add_payment_event("paid", total.incl_tax, reference=f"demo-{order_number}")

    def get_initial_order_status(self, basket):
        # A demo payment is settled at once; real payments wait for Stripe's webhook.
        return "paid" if demo_payment_available() else settings.OSCAR_INITIAL_ORDER_STATUS
