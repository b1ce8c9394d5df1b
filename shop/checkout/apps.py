import oscar.apps.checkout.apps as apps
from django.urls import path
from oscar.core.loading import get_class


class CheckoutConfig(apps.CheckoutConfig):
    name = "shop.checkout"

    def ready(self):
        super().ready()
        from shop.checkout.analytics import counters_made_race_safe  # imports Oscar's models: apps must be ready

        counters_made_race_safe()
        self.stripe_return_view = get_class("checkout.views", "StripeReturnView")

    def get_urls(self):
        # Where Stripe sends the buyer back from Alipay.
        stripe_urls = [path("stripe/return/", self.stripe_return_view.as_view(), name="stripe-return")]
        return super().get_urls() + self.post_process_urls(stripe_urls)
