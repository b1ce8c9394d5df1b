from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "shop.payments"
    # Oscar already owns the label "payment".
    label = "wumeng_payments"
    verbose_name = _("Payment providers")
    default_auto_field = "django.db.models.BigAutoField"
