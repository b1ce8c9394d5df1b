from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "logistics"
    verbose_name = _("Stations and logistics")

    def ready(self):
        from logistics.signals import shipments_moved
        from logistics.tasks import on_shipments_moved  # imports models: the apps must be ready

        shipments_moved.connect(on_shipments_moved, dispatch_uid="logistics.tasks.on_shipments_moved")
