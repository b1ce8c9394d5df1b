"""Writes registry CSV files in the import format (for the tests, the bench and stations' templates)."""

import csv
import io
import random

from django.utils import timezone

from sellers import synthetic
from sellers.registry_import import COLUMNS


def registry_row(data: dict) -> dict:
    """A CSV row from `synthetic.household_data`-style keyword arguments."""
    row = {k: data.get(k, "") for k in COLUMNS}
    row["township_code"] = data["township"].code
    row["members"] = len(data["members"]) if isinstance(data["members"], list) else data["members"]
    row["exited_year"] = data["exited_year"] or ""
    row["consent_to_sell"] = "1" if data["consent_to_sell"] else "0"
    row["consent_to_story"] = "1" if data["consent_to_story"] else "0"
    return row


def synthetic_registry_csv(*, townships, rows: int, seed: int = 1, prefix: str = "IMP") -> str:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for n in range(rows):
        township = townships[n % len(townships)]
        writer.writerow(registry_row(synthetic.household_data(
            rng, township=township, registry_id=f"{prefix}{n:07d}", this_year=timezone.localdate().year)))
    return out.getvalue()
