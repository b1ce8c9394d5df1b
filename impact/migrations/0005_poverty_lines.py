"""The national poverty lines and relapse-monitoring thresholds, from the reference file; edited
afterwards in the dashboard."""

import csv
from decimal import Decimal
from pathlib import Path

from django.db import migrations

LINES_FILE = Path(__file__).resolve().parent.parent.parent / "shop" / "data" / "poverty_lines.csv"


def load(apps, schema_editor):
    PovertyLine = apps.get_model("impact", "PovertyLine")
    with LINES_FILE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    PovertyLine.objects.bulk_create(
        [
            PovertyLine(
                year=int(r["year"]), region_code=r["region_code"], kind=r["kind"],
                amount=Decimal(r["yuan_per_person_per_year"]), note=r["note"][:255],
            )
            for r in rows
        ],
        ignore_conflicts=True,
    )


def unload(apps, schema_editor):
    apps.get_model("impact", "PovertyLine").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("impact", "0004_ledger_append_only_triggers")]

    operations = [migrations.RunPython(load, unload)]
