from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImpactConfig(AppConfig):
    name = "impact"
    verbose_name = _("Impact")

    def ready(self):
        # Receivers connect to models, so they load once the apps are ready (Django's own advice).
        from impact import receivers  # noqa: F401
