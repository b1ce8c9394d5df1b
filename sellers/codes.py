"""The registry's code lists (poverty causes, household attributes, ...), read
once from the official list shipped in `data/household_codes.csv`."""

import csv
from functools import cache
from pathlib import Path

from shop.core.i18n import wants_english

CODES_FILE = Path(__file__).parent / "data" / "household_codes.csv"


@cache
def _rows() -> dict[str, dict[str, tuple[str, str]]]:
    lists: dict[str, dict[str, tuple[str, str]]] = {}
    with CODES_FILE.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            lists.setdefault(row["list"], {})[row["code"]] = (row["label_zh"], row["label_en"])
    return lists


def choices(list_name: str) -> list[tuple[str, str]]:
    """Choices for a model field: the code and its official Chinese label."""
    return [(code, zh) for code, (zh, _en) in _rows()[list_name].items()]


def codes(list_name: str) -> set[str]:
    return set(_rows()[list_name])


def label(list_name: str, code: str) -> str:
    """The label of a code in the page's language; unknown codes show as they are."""
    try:
        zh, en = _rows()[list_name][code]
    except KeyError:
        return code
    return en if wants_english() else zh
