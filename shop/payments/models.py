from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StripeEvent(models.Model):
    """A webhook event from Stripe that was verified and processed.

    The unique event ID is what makes a replayed or duplicated delivery change nothing.
    """

    event_id = models.CharField(_("event ID"), max_length=255, unique=True)
    type = models.CharField(_("type"), max_length=100)
    order_number = models.CharField(_("order number"), max_length=128, blank=True, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=50, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    payload = models.JSONField(_("payload"))

    class Meta:
        # Explicit, so the model can never slip into the "shop" app if this app is left out.
        app_label = "wumeng_payments"
        ordering = ["-received_at"]
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")

    def __str__(self):
        return f"{self.type} {self.event_id}"
