"""Import of registry records from a CSV file: every row checked, every bad row named
with its line number, and nothing imported unless every row is good.

A row is checked in two steps: what only an import can check (the columns parse, township codes
and code lists, registry IDs new and not twice in the file), then the household rules, which are
the model's (`Household.full_clean()`, as for the API and the console), without a query per row.

Before any row, the file itself: what Excel in China saves ("CSV UTF-8 (逗号分隔)" or the GBK
"CSV (逗号分隔)") is read; a workbook, a photo, an empty, damaged or huge file is refused with
one message saying what to upload (a `RowError` of line 0), never with an exception. The
spreadsheet's habits are explained or undone where that is unambiguous: ID numbers turned into
4.10E+17 or cut to 15 digits are explained, a code list's leading zero a spreadsheet dropped
("1" for "01") is put back."""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sellers import codes, idnumbers
from sellers.models import Household, HouseholdChange, HouseholdMember
from sellers.models.audit import Channel, household_changes
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
# The console's limits (the command line has none): a township's registry is a few thousand rows,
# well under a megabyte.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
ERRORS_SHOWN = 50  # on the console's page; the full list is a CSV report
GBK = "gb18030"  # what Excel in China saves as "CSV (逗号分隔)": GBK, of which GB18030 is a superset
WORKBOOKS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # .xlsx (a zip), .xls and WPS .et
NOT_TEXT = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"RIFF", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf", b"BM")
UTF_16 = (b"\xff\xfe", b"\xfe\xff")
SCIENTIFIC = re.compile(r"^[0-9]+(\.[0-9]+)?[eE][+]?[0-9]+$")  # 4.10E+17: a long number a spreadsheet displayed
NUMBER_COLUMNS = ("registry_id", "id_number", "phone", "bank_account")  # digits a spreadsheet may take for a number
CODE_COLUMNS = (("poverty_cause", "poverty_cause"), ("secondary_poverty_cause", "poverty_cause"),
                ("attribute", "household_attribute"), ("poverty_status", "poverty_status"),
                ("monitoring_type", "monitoring_type"))


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str

    def __str__(self):
        if not self.line:  # the file as a whole
            return str(self.reason)
        if not self.column:
            return _("line %(line)s: %(reason)s") % {"line": self.line, "reason": self.reason}
        return _("line %(line)s, %(column)s: %(reason)s") % {"line": self.line, "column": self.column, "reason": self.reason}


@dataclass
class ImportResult:
    rows: int = 0
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    encoding: str = ""  # how the file was read: "utf-8", GBK, or "text" (given as text)


class _Refused(Exception):
    """The file cannot be read as a registry: these errors say why, and what to upload instead."""

    def __init__(self, *errors: RowError):
        super().__init__(errors)
        self.errors = list(errors)


def file_refused(reason: str) -> ImportResult:
    """The result for a file refused as a whole (e.g. the console's size limit)."""
    return ImportResult(errors=[RowError(0, "", reason)])


def problems_csv(errors: list[RowError]) -> str:
    """All the problems, as a CSV file (line, column, problem) a spreadsheet opens: UTF-8 with a
    byte order mark, which Excel needs to read it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("line"), _("column"), _("problem")])
    for error in errors:
        writer.writerow([error.line or "", error.column, error.reason])
    return "\ufeff" + out.getvalue()


def households_import(*, file, dry_run: bool = False, progress: Callable[[int], None] | None = None,
                      townships: set[str] | None = None, recorded_by=None,
                      max_rows: int | None = MAX_ROWS) -> ImportResult:
    """Check every row of `file` (bytes or a file of a CSV with a header, UTF-8 or GBK; or text)
    and import them all, or none; more than `max_rows` rows (None: no limit) are refused.
    `townships` limits where rows may be (a station manager imports only their own). The phones,
    bank accounts and consents imported go into the audit trail, as imported by `recorded_by`."""
    try:
        rows, encoding = _rows(file, max_rows)
    except _Refused as refused:
        return ImportResult(errors=refused.errors)
    known_townships = set(Division.objects.filter(level=DivisionLevel.TOWNSHIP).values_list("code", flat=True))
    allowed = known_townships if townships is None else known_townships & set(townships)
    taken = set(Household.objects.values_list("registry_id", flat=True))
    lists = {name: codes.codes(name) for name in ("poverty_cause", "household_attribute", "poverty_status", "monitoring_type")}
    result, households, seen = ImportResult(encoding=encoding), [], set()
    for line, row in rows:
        result.rows += 1
        parsed, errors = _check(row, line, allowed, known_townships, taken, seen, lists)
        result.errors += errors
        if not errors:
            households.append(parsed)
        if progress and result.rows % 1000 == 0:
            progress(result.rows)
    if result.errors or dry_run:
        return result
    now = timezone.now()
    for household, _head in households:  # as `household_register` records a consent: when and by whom
        if household.consent_to_sell or household.consent_to_story:
            household.consent_recorded_at, household.consent_recorded_by = now, recorded_by
    with transaction.atomic():
        for start in range(0, len(households), BATCH):
            batch = households[start:start + BATCH]
            Household.objects.bulk_create(h for h, _head in batch)
            saved = dict(Household.objects.filter(registry_id__in=[h.registry_id for h, _head in batch]).values_list("registry_id", "pk"))
            for household, head in batch:
                head.household_id = household.pk = saved[household.registry_id]
            HouseholdMember.objects.bulk_create(head for _household, head in batch)
            HouseholdChange.objects.bulk_create(
                change for household, _head in batch
                for change in household_changes(household=household, before=None, changed_by=recorded_by,
                                                channel=Channel.IMPORT, at=now)
            )
    result.imported = len(households)
    return result


def _rows(file, max_rows):
    """The file's rows, each with its line (the spreadsheet's row number), and how it was read."""
    text, encoding = _text(file)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    line, rows = 0, []
    try:
        # Excel keeps spaces typed around a name; a hand-made header may have capitals.
        reader.fieldnames = [name.strip().lower() for name in reader.fieldnames or []]
        line = 1
        _header_check(reader.fieldnames, encoding)
        for line, row in enumerate(reader, start=2):
            if max_rows is not None and len(rows) >= max_rows:
                raise _Refused(RowError(0, "", _(
                    "The file has more than %(max)s rows. Split it into files of at most %(max)s rows."
                ) % {"max": f"{max_rows:,}"}))
            rows.append((line, row))
    except csv.Error:  # e.g. a quote left open swallows the rest of the file into one cell
        raise _Refused(RowError(line + 1, "", _(
            'this line cannot be read as CSV: look for a quote (") that is opened and not closed'))) from None
    return rows, encoding


def _header_check(names, encoding):
    missing = [c for c in COLUMNS if c not in names]
    if not missing:
        return
    if len(missing) == len(COLUMNS):
        errors = [RowError(1, "", _("The first line must be the column names of the registry file: %(columns)s.")
                           % {"columns": ", ".join(COLUMNS)})]
    else:
        errors = [RowError(1, ", ".join(missing), _("missing column"))]
    if encoding == GBK:
        errors.append(RowError(1, "", _(
            "The file was read as GBK, the encoding of Excel's CSV (逗号分隔). If its column names look "
            "garbled, save it as CSV UTF-8 (逗号分隔) and upload it again.")))
    raise _Refused(*errors)


def _text(file):
    """The file's text and how it was read: bytes are UTF-8 (with or without a byte order mark)
    or else GBK; anything else is refused, saying what to upload."""
    content = file if isinstance(file, (str, bytes, bytearray)) else file.read()
    if isinstance(content, str):
        text, encoding = content, "text"
    else:
        text, encoding = _decode(bytes(content))
    if not text.strip(" \t\r\n\ufeff"):
        raise _Refused(RowError(0, "", _(
            "The file is empty. Upload the registry as a CSV file, with the column names on its first line.")))
    if "\x00" in text:
        raise _nul_bytes()
    return text.removeprefix("\ufeff"), encoding


def _nul_bytes():
    return _Refused(RowError(0, "", _(
        "This file contains NUL bytes, which a CSV file never has: it is damaged or not a CSV file. Upload "
        "the registry saved from Excel as CSV UTF-8 (逗号分隔) or CSV (逗号分隔).")))


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(WORKBOOKS):
        raise _Refused(RowError(0, "", _(
            "This is an Excel workbook (.xlsx or .xls), not a CSV file. In Excel, choose Save As with the type "
            "CSV UTF-8 (逗号分隔) or CSV (逗号分隔), and upload that file.")))
    if data.startswith(NOT_TEXT):
        raise _Refused(RowError(0, "", _(
            "This is not a CSV file: it is an image, a PDF or another file that is not text. Upload the "
            "registry saved from Excel as CSV UTF-8 (逗号分隔) or CSV (逗号分隔).")))
    if data.startswith(UTF_16):
        raise _Refused(RowError(0, "", _(
            "This file is saved as Unicode text (UTF-16), not as CSV. In Excel, choose Save As with the type "
            "CSV UTF-8 (逗号分隔), and upload that file.")))
    if b"\x00" in data:
        raise _nul_bytes()
    for encoding in ("utf-8-sig", GBK):
        try:
            return data.decode(encoding), encoding.removesuffix("-sig")
        except UnicodeDecodeError:
            continue
    raise _Refused(RowError(0, "", _(
        "The file is neither UTF-8 nor GBK text. Save the file as CSV UTF-8 (逗号分隔) or as Excel's "
        "CSV (逗号分隔), and upload it again.")))


def _check(row, line, allowed, known, taken, seen, lists):
    """The row's household and its head (unsaved) and its errors, in the order of the columns."""
    errors = []

    def bad(column, reason):
        errors.append(RowError(line, column, reason))

    value = {k: (row.get(k) or "").strip() for k in COLUMNS}
    for column in REQUIRED:
        if not value[column]:
            bad(column, _("required"))
    spreadsheet_numbers = _spreadsheet_numbers(value)
    for column, reason in spreadsheet_numbers.items():
        bad(column, reason)
    registry_id = value["registry_id"]
    if "registry_id" in spreadsheet_numbers:
        pass  # not compared: rows with different IDs can show the same 4.10E+17
    elif registry_id in taken:
        bad("registry_id", _("already registered"))
    elif registry_id in seen:
        bad("registry_id", _("appears twice in the file"))
    seen.add(registry_id)
    if value["township_code"] and value["township_code"] not in allowed:
        bad("township_code", _("not a township of this station") if value["township_code"] in known else _("unknown township code"))
    for column, list_name in CODE_COLUMNS:
        if value[column] and value[column] not in lists[list_name]:
            # "1" for "01": the leading zero a spreadsheet drops from a number, put back.
            value[column] = _zero_dropped(list_name).get(value[column], value[column])
            if value[column] not in lists[list_name]:
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


def _spreadsheet_numbers(value):
    """What a spreadsheet did to the columns of long digit strings it took for numbers, by column."""
    found = {}
    for column in NUMBER_COLUMNS:
        if SCIENTIFIC.match(value[column]):
            found[column] = _(
                "the spreadsheet turned this ID number into a number: format the column as text"
            ) if column == "id_number" else _(
                "the spreadsheet turned this number into %(value)s: format the column as text and type the "
                "number again") % {"value": value[column]}
    id_number = value["id_number"]
    # A spreadsheet keeps 15 digits of a number: an 18-digit ID number ends in 000.
    if ("id_number" not in found and len(id_number) == 18 and id_number.isdigit() and id_number.endswith("000")
            and not idnumbers.is_valid(id_number)):
        found["id_number"] = _("the spreadsheet kept only 15 digits of this ID number (the last ones became 0): "
                               "format the column as text and type it again")
    return found


@cache
def _zero_dropped(list_name: str) -> dict[str, str]:
    """The codes of a list by what they become without their leading zeros ("1": "01"), where
    that is one code only and no code of the list itself."""
    found: dict[str, set[str]] = {}
    for code in codes.codes(list_name):
        for start in range(1, len(code)):
            if code[:start].strip("0") == "":
                found.setdefault(code[start:], set()).add(code)
    listed = codes.codes(list_name)
    return {short: next(iter(full)) for short, full in found.items() if len(full) == 1 and short not in listed}


def _int(text):
    """A whole number, in any digits (full-width too). One too long for any count or year stays
    too big, for the model's limits to refuse (int() refuses more than 4,300 digits)."""
    if not text.isdecimal():
        return None
    return int(text) if len(text) <= 18 else 10**18


def _amount(text):
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount.as_tuple().exponent < -2 or "e" in text.lower():
        return None
    try:
        return amount.quantize(Decimal("0.01"))
    except InvalidOperation:  # more digits than the decimal context: the model's max_digits refuses it
        return amount
