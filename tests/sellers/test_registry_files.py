"""The registry import meets the files people really upload: Excel's GBK "CSV (逗号分隔)",
workbooks, photos, empty and damaged files, over-long cells, spreadsheets' mangled numbers,
huge files and files with thousands of bad rows. Each is refused with a clear message, never
with a 500, or imported as it should be."""

import csv
import io
import random
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from sellers import registry_import
from sellers.models import Household, HouseholdMember
from sellers.registry_csv import synthetic_registry_csv
from sellers.registry_import import COLUMNS, households_import
from shop.models import Division
from tests.personas import MIAOBA, POJI
from tests.registry_files import csv_rows, csv_text, with_changes

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def _excel_csv(text):
    """What Excel in China writes for "CSV (逗号分隔)": GBK (GB18030) with CRLF line ends."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("gb18030")


def _upload(client, data, name="registry.csv", **extra):
    return client.post(reverse("station:import"), {"file": SimpleUploadedFile(name, data), **extra})


def _alert(page):
    """The page's problems: the alert and the list under it."""
    return page.split('role="alert"', 1)[1].split("</ul>", 1)[0]


def _file_refusal(result):
    """The one message of a refused file (line 0: about the file, not a row)."""
    assert [e.line for e in result.errors] == [0], result.errors[:3]
    return result.errors[0].reason


def _xlsx():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as workbook:
        workbook.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        workbook.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


# 1. GBK / GB18030 files

def test_a_gb18030_file_from_excel_imports_with_its_chinese_names_and_villages(townships):
    text = synthetic_registry_csv(townships=townships, rows=5)
    text = with_changes(text, 3, head_name="龙㐵", village="箐口村")  # 㐵: a name character GBK lacks, GB18030 has
    result = households_import(file=_excel_csv(text))
    assert (result.imported, result.errors) == (5, [])
    stored = {h.registry_id: (h.head_name, h.village) for h in Household.objects.all()}
    expected = {row["registry_id"]: (row["head_name"], row["village"]) for row in csv_rows(text)}
    assert stored == expected and stored[csv_rows(text)[1]["registry_id"]] == ("龙㐵", "箐口村")
    assert set(HouseholdMember.objects.values_list("name", flat=True)) == {row["head_name"] for row in csv_rows(text)}


@pytest.mark.parametrize("bom", ["", "\ufeff"], ids=["utf8", "utf8-with-bom"])
def test_a_utf8_file_still_imports_with_or_without_a_byte_order_mark(townships, bom):
    text = synthetic_registry_csv(townships=townships, rows=3)
    assert households_import(file=(bom + text).encode("utf-8")).imported == 3


def test_a_file_with_old_mac_line_ends_imports(townships):
    """Excel for Mac's "CSV (Macintosh)" ends lines with a lone CR."""
    text = synthetic_registry_csv(townships=townships, rows=3).replace("\r\n", "\r")
    assert households_import(file=text.encode("utf-8")).imported == 3


def test_a_file_neither_utf8_nor_gbk_is_refused_with_what_to_save_it_as(townships):
    rows = csv_rows(synthetic_registry_csv(townships=townships, rows=2))
    for row in rows:
        row.update(village="Café", head_name="Zoë", capacity="")
    text = csv_text(rows)  # a Latin-1 file: é and ë, each followed by a comma, are neither UTF-8 nor GBK
    with translation.override("en"):
        reason = _file_refusal(households_import(file=text.encode("latin-1")))
    assert "CSV UTF-8" in reason and "CSV (逗号分隔)" in reason
    assert Household.objects.count() == 0


def test_the_console_imports_a_gb18030_file(client, people):
    client.force_login(people.manager_miaoba)
    before = Household.objects.count()
    text = synthetic_registry_csv(townships=[Division.objects.get(code=MIAOBA)], rows=3)
    assert _upload(client, _excel_csv(text)).status_code == 302
    assert Household.objects.count() == before + 3
    assert set(Household.objects.filter(registry_id__startswith="IMP").values_list("head_name", flat=True)) == {
        row["head_name"] for row in csv_rows(text)}


def test_the_command_imports_a_gb18030_file(townships, tmp_path):
    path = tmp_path / "registry.csv"
    path.write_bytes(_excel_csv(synthetic_registry_csv(townships=townships, rows=4)))
    call_command("import_households", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert Household.objects.count() == 4


# 2. Files that are not text

def _with_nul(text):
    return text.encode("utf-8").replace(b"\n", b"\x00\n", 2)


NOT_TEXT = {
    "xlsx": lambda text: _xlsx(),
    "old-xls": lambda text: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8,
    "png": lambda text: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(2).randbytes(2000),
    "jpeg": lambda text: b"\xff\xd8\xff\xe0\x00\x10JFIF" + random.Random(3).randbytes(2000),
    "pdf": lambda text: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + random.Random(4).randbytes(2000),
    "random-bytes": lambda text: random.Random(1).randbytes(4096),
    "random-bytes-without-nul": lambda text: bytes(b or 1 for b in random.Random(5).randbytes(4096)),
    "empty": lambda text: b"",
    "blank": lambda text: b"\r\n \r\n",
    "nul-bytes": _with_nul,
    "utf-16": lambda text: text.encode("utf-16"),
}


@pytest.mark.parametrize("kind", NOT_TEXT)
def test_a_file_that_is_not_a_csv_text_is_refused_naming_what_to_upload(townships, kind):
    data = NOT_TEXT[kind](synthetic_registry_csv(townships=townships, rows=3))
    with translation.override("en"):
        reason = _file_refusal(households_import(file=data))
    assert "CSV" in reason
    assert Household.objects.count() == 0


def test_a_workbook_is_refused_saying_how_to_save_it_as_csv(townships):
    with translation.override("en"):
        reason = _file_refusal(households_import(file=_xlsx()))
    assert "Excel workbook" in reason and "CSV UTF-8" in reason


@pytest.mark.parametrize("kind", ["xlsx", "png", "random-bytes", "empty", "nul-bytes", "utf-16"])
def test_the_console_refuses_a_file_that_is_not_a_csv_text_with_a_message(client, people, kind):
    client.force_login(people.manager_miaoba)
    before = Household.objects.count()
    data = NOT_TEXT[kind](synthetic_registry_csv(townships=[Division.objects.get(code=MIAOBA)], rows=3))
    response = _upload(client, data, name="registry.xlsx" if kind == "xlsx" else "registry.csv")
    assert response.status_code == 200
    page = response.content.decode()
    assert "CSV" in _alert(page)
    assert Household.objects.count() == before


def test_the_command_refuses_a_workbook_with_a_message(townships, tmp_path):
    path = tmp_path / "registry.xlsx"
    path.write_bytes(_xlsx())
    out = io.StringIO()
    with pytest.raises(Exception) as refused:
        call_command("import_households", str(path), stdout=out, stderr=io.StringIO())
    assert refused.type.__name__ == "CommandError" and "CSV" in out.getvalue()


# 3. Over-long and odd values

@pytest.mark.parametrize("column, value, limit", [
    ("village", "村" * 500, "64"),
    ("head_name", "张" * 100, "32"),
    ("registry_id", "R" * 100, "32"),
    ("capacity", "鸡" * 1000, "128"),
    ("phone", "1" * 30, "20"),
    ("bank_account", "6" * 50, "32"),
    ("baseline_income_per_capita", "1" * 30, "12"),
    ("members", "9" * 5000, "20"),
    ("identified_year", "2" * 5000, None),
    ("members", "²", None),
])
def test_an_over_long_or_odd_value_is_refused_by_line_and_column_with_the_limit(townships, column, value, limit):
    changes = {column: value, **({"exited_year": ""} if column == "identified_year" else {})}
    text = with_changes(synthetic_registry_csv(townships=townships, rows=3), 3, **changes)
    with translation.override("en"):
        result = households_import(file=text.encode("utf-8"))
    assert {(e.line, e.column) for e in result.errors} == {(3, column)}, result.errors
    if limit:
        assert any(limit in e.reason for e in result.errors), result.errors
    assert Household.objects.count() == 0


def test_a_cell_too_long_for_csv_is_refused_not_a_500(townships):
    text = synthetic_registry_csv(townships=townships, rows=3)
    text = text.replace("\n", '\n"' + "x" * 200_000 + "\n", 1)  # a quote opened and never closed
    with translation.override("en"):
        result = households_import(file=text.encode("utf-8"))
    assert [e.line for e in result.errors] == [2] and "quote" in result.errors[0].reason
    assert Household.objects.count() == 0


# 4. Size and row limits

def test_the_console_refuses_a_file_over_5_mb_without_reading_it(client, people, monkeypatch):
    client.force_login(people.manager_miaoba)

    def never(*args, **kwargs):
        raise AssertionError("a file over the limit was read")

    monkeypatch.setattr("sellers.console.views.households_import", never)
    # Over 2.5 MB, Django streams an upload to a temporary file: the view must not read it back.
    monkeypatch.setattr(TemporaryUploadedFile, "read", property(never), raising=False)
    monkeypatch.setattr(TemporaryUploadedFile, "chunks", never, raising=False)
    with translation.override("en"):
        response = _upload(client, b"x" * (5 * MB + 1))
    assert response.status_code == 200
    assert "5 MB" in _alert(response.content.decode())


def test_a_file_of_more_than_20000_rows_is_refused_with_the_limit(townships):
    rows = "\n".join(f"R{n}" + "," * (len(COLUMNS) - 1) for n in range(20_001))
    with translation.override("en"):
        reason = _file_refusal(households_import(file=(",".join(COLUMNS) + "\n" + rows).encode()))
    assert "20,000" in reason or "20000" in reason
    assert Household.objects.count() == 0


def test_the_row_limit_counts_rows_not_lines(townships):
    text = synthetic_registry_csv(townships=townships, rows=3)
    assert households_import(file=text.encode(), max_rows=3).imported == 3
    assert households_import(file=synthetic_registry_csv(townships=townships, rows=4, prefix="X").encode(),
                             max_rows=3).errors[0].line == 0


def test_the_console_refuses_more_than_20000_rows(client, people):
    client.force_login(people.manager_miaoba)
    rows = "\n".join(f"R{n}" + "," * (len(COLUMNS) - 1) for n in range(20_001))
    with translation.override("en"):
        page = _upload(client, (",".join(COLUMNS) + "\n" + rows).encode()).content.decode()
    assert "20,000" in _alert(page)


def test_the_command_line_has_no_size_or_row_limit(townships, tmp_path, monkeypatch):
    monkeypatch.setattr(registry_import, "MAX_ROWS", 2)
    monkeypatch.setattr(registry_import, "MAX_UPLOAD_BYTES", 100)
    path = tmp_path / "registry.csv"
    path.write_text(synthetic_registry_csv(townships=townships, rows=3), encoding="utf-8")
    call_command("import_households", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert Household.objects.count() == 3


# 5. What spreadsheets do to numbers and codes

@pytest.mark.parametrize("value", ["5.30623E+17", "5.30623197005049E+17", "4.10e+17"])
def test_an_id_number_a_spreadsheet_turned_into_scientific_notation_is_explained(townships, value):
    text = with_changes(synthetic_registry_csv(townships=townships, rows=2), 3, id_number=value)
    with translation.override("en"):
        errors = households_import(file=text.encode()).errors
    assert [(e.line, e.column, e.reason) for e in errors] == [
        (3, "id_number", "the spreadsheet turned this ID number into a number: format the column as text")]


@pytest.mark.parametrize("column", ["bank_account", "registry_id"])
def test_other_numbers_in_scientific_notation_are_explained(townships, column):
    text = with_changes(synthetic_registry_csv(townships=townships, rows=2), 2, **{column: "6.21701E+18"})
    with translation.override("en"):
        errors = households_import(file=text.encode()).errors
    assert [(e.line, e.column) for e in errors] == [(2, column)] and "format the column as text" in errors[0].reason


def test_an_id_number_cut_to_15_digits_by_a_spreadsheet_is_explained(townships):
    text = synthetic_registry_csv(townships=townships, rows=2)
    cut = csv_rows(text)[0]["id_number"][:15] + "000"
    text = with_changes(text, 2, id_number=cut)
    with translation.override("en"):
        errors = households_import(file=text.encode()).errors
    assert [(e.line, e.column) for e in errors] == [(2, "id_number")] and "15 digits" in errors[0].reason


def test_codes_whose_leading_zero_a_spreadsheet_dropped_are_restored(townships):
    text = synthetic_registry_csv(townships=townships, rows=2)
    text = with_changes(text, 2, poverty_cause="1", secondary_poverty_cause="9", attribute="4")
    result = households_import(file=text.encode())
    assert result.errors == []
    household = Household.objects.get(registry_id=csv_rows(text)[0]["registry_id"])
    assert (household.poverty_cause, household.secondary_poverty_cause, household.attribute) == ("01", "09", "04")


@pytest.mark.parametrize("column, value", [("poverty_cause", "001"), ("poverty_cause", "77"), ("poverty_status", "01")])
def test_codes_are_not_guessed_beyond_a_dropped_leading_zero(townships, column, value):
    text = with_changes(synthetic_registry_csv(townships=townships, rows=2), 2, **{column: value})
    assert [(e.line, e.column) for e in households_import(file=text.encode()).errors] == [(2, column)]


def test_a_code_that_is_in_its_list_as_it_is_is_kept(townships):
    text = with_changes(synthetic_registry_csv(townships=townships, rows=2), 2, poverty_status="1", monitoring_type="2")
    households_import(file=text.encode())
    household = Household.objects.get(registry_id=csv_rows(text)[0]["registry_id"])
    assert (household.poverty_status, household.monitoring_type) == ("1", "2")


CHINESE_TITLES = ["户编号", "乡镇代码", "村", "户主姓名", "身份证号", "人口数", "主要致贫原因", "次要致贫原因", "贫困户属性",
                  "贫困户状态", "监测类型", "人均纯收入", "识别年度", "脱贫年度", "联系电话", "银行账号", "产能", "同意销售",
                  "同意展示故事"]


def test_a_gbk_file_whose_first_line_is_not_the_column_names_gets_a_clear_message(townships):
    rows = [list(row.values()) for row in csv_rows(synthetic_registry_csv(townships=townships, rows=2))]
    out = io.StringIO()
    csv.writer(out).writerows([CHINESE_TITLES, *rows])
    with translation.override("en"):
        errors = households_import(file=_excel_csv(out.getvalue())).errors
    assert [e.line for e in errors] and {e.line for e in errors} == {1}
    message = " ".join(e.reason for e in errors)
    assert "registry_id, township_code" in message and "GBK" in message
    assert Household.objects.count() == 0


def test_a_header_with_spaces_or_capitals_still_matches(townships):
    text = synthetic_registry_csv(townships=townships, rows=2)
    header, rest = text.split("\r\n", 1)
    text = ",".join(f" {name.upper()} " for name in header.split(",")) + "\r\n" + rest
    assert households_import(file=text.encode()).imported == 2


# 6. A page that stays small on a phone, and the full report

@pytest.fixture
def ten_thousand_bad_rows(people):
    """A file of 10,000 rows of another township than the manager's: every row refused."""
    return synthetic_registry_csv(townships=[Division.objects.get(code=POJI)], rows=10_000).encode()


def test_ten_thousand_bad_rows_give_a_small_page_with_the_first_problems(client, people, ten_thousand_bad_rows):
    client.force_login(people.manager_miaoba)
    before = Household.objects.count()
    with translation.override("en"):
        response = client.post(reverse("station:import"), {
            "file": SimpleUploadedFile("registry.csv", ten_thousand_bad_rows)})
    page = response.content.decode()
    assert response.status_code == 200 and len(response.content) < 100_000
    assert "line 2," in page and "line 51," in page and "line 52," not in page
    assert "9,950 more problems" in page or "9950 more problems" in page
    assert 'name="report" value="csv"' in page
    assert Household.objects.count() == before


def test_the_full_report_is_a_csv_of_line_column_and_reason(client, people, ten_thousand_bad_rows):
    client.force_login(people.manager_miaoba)
    before = Household.objects.count()
    response = _upload(client, ten_thousand_bad_rows, report="csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 1 + 10_000
    assert rows[1][:2] == ["2", "township_code"] and rows[-1][:2] == ["10001", "township_code"]
    assert Household.objects.count() == before


def test_asking_for_the_report_of_a_good_file_imports_nothing(client, people):
    client.force_login(people.manager_miaoba)
    before = Household.objects.count()
    text = synthetic_registry_csv(townships=[Division.objects.get(code=MIAOBA)], rows=2)
    response = _upload(client, text.encode(), report="csv")
    assert response.status_code == 200 and Household.objects.count() == before


def test_a_few_problems_are_all_shown_on_the_page(client, people):
    client.force_login(people.manager_miaoba)
    text = synthetic_registry_csv(townships=[Division.objects.get(code=POJI)], rows=3)
    with translation.override("en"):
        page = _upload(client, text.encode()).content.decode()
    assert "line 2," in page and "line 4," in page and "more problem" not in page
