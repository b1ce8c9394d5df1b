"""Registry CSV files as the tests read and change them, line by line."""

import csv
import io


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def csv_text(rows: list[dict], fieldnames: list[str] | None = None) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fieldnames or list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def with_changes(text: str, line: int, **changes) -> str:
    """The file with the row on `line` (the header is line 1) changed."""
    rows = csv_rows(text)
    rows[line - 2].update(changes)
    return csv_text(rows)
