"""Officials' regions, moved from the impact app (its migration 0002 renamed the table)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_type_to(app_label: str, *, source: str):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        ContentType.objects.filter(app_label=source, model="officialscope").update(app_label=app_label)

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0003_china_as_shipping_country"),
        ("impact", "0002_officialscope_moves_to_shop"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OfficialScope",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("region", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="shop.division")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="official_scopes", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "official's region",
                        "verbose_name_plural": "officials' regions",
                        "constraints": [models.UniqueConstraint(fields=("user", "region"), name="official_scope_unique")],
                    },
                ),
            ],
        ),
        migrations.RunPython(
            content_type_to("shop", source="impact"), content_type_to("impact", source="shop")
        ),
    ]
