"""Import of registry records from a CSV file: every row checked, every bad row named
with its line number, and nothing imported unless every row is good.

A row is checked in two steps: what only an import can check (the columns parse, township codes
and code lists, registry IDs new and not twice in the file), then the household rules, which are
the model's (`Household.full_clean()`, as for the API and the console), without a query per row."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sellers import codes
from sellers.models import Household, HouseholdMember
from shop.models import Division, DivisionLevel

COLUMNS = [
    "registry_id", "township_code", "village", "head_name", "id_number", "members", "poverty_cause",
    "secondary_poverty_cause", "attribute", "poverty_status", "monitoring_type", "baseline_income_per_capita",
    "identified_year", "exited_year", "phone", "bank_account", "capacity", "consent_to_sell", "consent_to_story",
]
REQUIRED = {"registry_id", "township_code", "village", "head_name", "id_number", "members", "poverty_cause",
            "attribute", "poverty_status", "baseline_income_per_capita", "identified_year"}
TRUE, FALSE = {"1", "true", "yes", "是", "y"}, {"0", "false", "no", "否", "n", ""}
BATCH = 2000
# The model's fields named differently in the file (others have the column's name).
FIELD_COLUMNS = {"township": "township_code"}
HEAD_COLUMNS = {"name": "head_name"}


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str

    def __str__(self):
        return _("line %(line)s, %(column)s: %(reason)s") % {"line": self.line, "column": self.column, "reason": self.reason}


@dataclass
class ImportResult:
    rows: int = 0
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)


def households_import(*, file, dry_run: bool = False, progress: Callable[[int], None] | None = None,
                      townships: set[str] | None = None) -> ImportResult:
    """Check every row of `file` (text, UTF-8 CSV with a header) and import them all, or none.
    `townships` limits where rows may be (a station manager imports only their own)."""
    reader = csv.DictReader(_text(file))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return ImportResult(errors=[RowError(1, ", ".join(missing), _("missing column"))])
    known_townships = set(Division.objects.filter(level=DivisionLevel.TOWNSHIP).values_list("code", flat=True))
    allowed = known_townships if townships is None else known_townships & set(townships)
    taken = set(Household.objects.values_list("registry_id", flat=True))
    lists = {name: codes.codes(name) for name in ("poverty_cause", "household_attribute", "poverty_status", "monitoring_type")}
    result, households, seen = ImportResult(), [], set()
    for line, row in enumerate(reader, start=2):
        result.rows += 1
        parsed, errors = _check(row, line, allowed, known_townships, taken, seen, lists)
        result.errors += errors
        if not errors:
            households.append(parsed)
        if progress and result.rows % 1000 == 0:
            progress(result.rows)
    if result.errors or dry_run:
        return result
    with transaction.atomic():
        for start in range(0, len(households), BATCH):
            batch = households[start:start + BATCH]
            Household.objects.bulk_create(h for h, _head in batch)
            saved = dict(Household.objects.filter(registry_id__in=[h.registry_id for h, _head in batch]).values_list("registry_id", "pk"))
            for household, head in batch:
                head.household_id = saved[household.registry_id]
            HouseholdMember.objects.bulk_create(head for _household, head in batch)
    result.imported = len(households)
    return result


def _text(file):
    if isinstance(file, (bytes, bytearray)):
        return io.StringIO(file.decode("utf-8-sig"))
    if hasattr(file, "mode") and "b" in getattr(file, "mode", ""):
        return io.TextIOWrapper(file, encoding="utf-8-sig")
    return file


def _check(row, line, allowed, known, taken, seen, lists):
    """The row's household and its head (unsaved) and its errors, in the order of the columns."""
    errors = []

    def bad(column, reason):
        errors.append(RowError(line, column, reason))

    value = {k: (row.get(k) or "").strip() for k in COLUMNS}
    for column in REQUIRED:
        if not value[column]:
            bad(column, _("required"))
    registry_id = value["registry_id"]
    if registry_id in taken:
        bad("registry_id", _("already registered"))
    elif registry_id in seen:
        bad("registry_id", _("appears twice in the file"))
    seen.add(registry_id)
    if value["township_code"] and value["township_code"] not in allowed:
        bad("township_code", _("not a township of this station") if value["township_code"] in known else _("unknown township code"))
    for column, list_name in (("poverty_cause", "poverty_cause"), ("secondary_poverty_cause", "poverty_cause"),
                              ("attribute", "household_attribute"), ("poverty_status", "poverty_status"),
                              ("monitoring_type", "monitoring_type")):
        if value[column] and value[column] not in lists[list_name]:
            bad(column, _("not in the code list"))
    members = _int(value["members"])
    if value["members"] and members is None:
        bad("members", _("Enter a whole number."))
    income = _amount(value["baseline_income_per_capita"])
    if value["baseline_income_per_capita"] and income is None:
        bad("baseline_income_per_capita", _("must be a non-negative amount with at most 2 decimals"))
    identified, exited = _int(value["identified_year"]), _int(value["exited_year"])
    if value["identified_year"] and identified is None:
        bad("identified_year", _("Enter a whole number."))
    if value["exited_year"] and exited is None:
        bad("exited_year", _("Enter a whole number."))
    consents = {}
    for column in ("consent_to_sell", "consent_to_story"):
        flag = value[column].lower()
        if flag not in TRUE | FALSE:
            bad(column, _("must be 1 or 0 (是 or 否)"))
        consents[column] = flag in TRUE
    id_number = value["id_number"].upper()
    household = Household(
        registry_id=registry_id, township_id=value["township_code"], village=value["village"],
        head_name=value["head_name"], id_number=id_number, members=members,
        poverty_cause=value["poverty_cause"], secondary_poverty_cause=value["secondary_poverty_cause"],
        attribute=value["attribute"], poverty_status=value["poverty_status"], monitoring_type=value["monitoring_type"],
        baseline_income_per_capita=income, identified_year=identified, exited_year=exited, phone=value["phone"],
        bank_account=value["bank_account"], capacity=value["capacity"], **consents,
    )
    head = HouseholdMember(name=value["head_name"], relation="户主", id_number=id_number)
    # The household rules, on the columns not already refused above. No query per row: the
    # township was checked against the known codes, registry IDs against the registry (one query
    # for the whole file), and the validators are at least as strict as the database constraints.
    _model_errors(household, FIELD_COLUMNS, {e.column for e in errors} | {"township_code"}, bad)
    _model_errors(head, HEAD_COLUMNS, {e.column for e in errors} | {"household"}, bad)
    if errors:
        return None, sorted(errors, key=lambda e: COLUMNS.index(e.column) if e.column in COLUMNS else len(COLUMNS))
    return (household, head), []


def _model_errors(instance, columns, skip, bad):
    """Run the model's checks on `instance`, except on the fields of the columns in `skip`, and
    report each error under its column (`columns` maps the fields not named like their column)."""
    exclude = [f.name for f in instance._meta.fields if columns.get(f.name, f.name) in skip]
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            column = columns.get(name, name) if name != NON_FIELD_ERRORS else "registry_id"
            for message in messages:
                bad(column, message)


def _int(text):
    return int(text) if text.isdigit() else None


def _amount(text):
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount.as_tuple().exponent < -2 or "e" in text.lower():
        return None
    return amount.quantize(Decimal("0.01"))
