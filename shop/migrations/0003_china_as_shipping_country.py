from django.db import migrations


def add_china(apps, schema_editor):
    Country = apps.get_model("address", "Country")
    Country.objects.update_or_create(
        iso_3166_1_a2="CN",
        defaults={"iso_3166_1_a3": "CHN", "iso_3166_1_numeric": "156", "printable_name": "中国",
                  "name": "People's Republic of China", "is_shipping_country": True, "display_order": 1},
    )


def remove_china(apps, schema_editor):
    apps.get_model("address", "Country").objects.filter(iso_3166_1_a2="CN").delete()


class Migration(migrations.Migration):
    """Buyers receive parcels in mainland China; Oscar's address forms need the country."""

    dependencies = [("shop", "0002_home_page"), ("address", "0001_initial")]

    operations = [migrations.RunPython(add_china, remove_china)]
