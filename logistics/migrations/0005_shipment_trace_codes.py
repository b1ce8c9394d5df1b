"""Give the shipments made before trace pages a trace code, their storage class and whether they are fresh food."""

import secrets

from django.db import migrations


def fill(apps, schema_editor):
    Shipment = apps.get_model("logistics", "Shipment")
    ShipmentLine = apps.get_model("logistics", "ShipmentLine")
    coldest = {"ambient": 0, "chilled": 1, "frozen": 2}
    for shipment in Shipment.objects.filter(trace_code__isnull=True).iterator():
        goods = list(
            ShipmentLine.objects.filter(shipment=shipment).values_list(
                "order_line__product__storage", "order_line__product__shelf_life_days"
            )
        )
        storage = max((s for s, _days in goods if s), key=coldest.__getitem__, default="ambient")
        fresh = storage != "ambient" or any(days is not None and days <= 30 for _s, days in goods)
        Shipment.objects.filter(pk=shipment.pk).update(
            trace_code=secrets.token_urlsafe(12), storage=storage, fresh=fresh
        )


class Migration(migrations.Migration):
    dependencies = [("logistics", "0004_shipment_movement"), ("catalogue", "0036_listing_photos_await_review")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
