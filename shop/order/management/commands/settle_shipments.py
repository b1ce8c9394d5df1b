from django.core.management.base import BaseCommand

from shop.order.settlement import shipments_settle_due


class Command(BaseCommand):
    help = "Settle delivered shipments whose return window has closed (Celery beat does this in production)."

    def handle(self, *args, **options):
        settled = shipments_settle_due()
        self.stdout.write(f"Settled {settled} shipment(s).")
