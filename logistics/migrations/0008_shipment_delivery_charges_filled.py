"""Shipments made before delivery charges were kept on them: the station's current rate."""

from django.db import migrations


def fill(apps, schema_editor):
    Shipment = apps.get_model("logistics", "Shipment")
    for shipment in Shipment.objects.select_related("station").iterator():
        cold = shipment.storage != "ambient"
        shipment.delivery_charge = shipment.station.shipping_charge + (
            shipment.station.cold_chain_surcharge if cold else 0
        )
        shipment.save(update_fields=["delivery_charge"])


class Migration(migrations.Migration):
    dependencies = [("logistics", "0007_shipment_delivery_charge")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
