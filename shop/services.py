"""Writes to the reference data: division codes and officials' regions."""

import csv
from pathlib import Path

from django.db import transaction

from shop.core.romanize import english_name
from shop.models import Division, OfficialScope

DIVISIONS_FILE = Path(__file__).parent / "data" / "zhaotong_divisions.csv"


@transaction.atomic
def divisions_load(*, path: Path = DIVISIONS_FILE) -> int:
    """Load the official division codes (parents before children); safe to re-run."""
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:  # the file lists parents first
        Division.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "name_en": english_name(row["name"]),
                "level": row["level"],
                "parent_id": row["parent_code"] or None,
            },
        )
    return len(rows)


def official_scope_grant(*, user, region: Division) -> OfficialScope:
    """Give an official read-only sight of a county or the city."""
    scope, _created = OfficialScope.objects.get_or_create(user=user, region=region)
    return scope
