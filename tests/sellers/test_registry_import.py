import io

import pytest
from django.core.management import CommandError, call_command

from sellers.models import Household, HouseholdMember
from sellers.registry_csv import synthetic_registry_csv
from sellers.registry_import import households_import
from tests.registry_files import csv_rows, csv_text, with_changes

pytestmark = pytest.mark.django_db


def test_a_clean_file_imports_every_household_with_its_head(townships):
    result = households_import(file=io.StringIO(synthetic_registry_csv(townships=townships, rows=20)))
    assert (result.imported, result.errors) == (20, [])
    assert Household.objects.count() == 20 and HouseholdMember.objects.filter(relation="户主").count() == 20


def test_a_file_with_bad_rows_imports_nothing_and_names_every_bad_row(townships):
    text = synthetic_registry_csv(townships=townships, rows=6)
    text = with_changes(text, 3, id_number="530623197005049010")
    text = with_changes(text, 5, members="0")
    text = with_changes(text, 7, baseline_income_per_capita="-5")
    result = households_import(file=io.StringIO(text))
    assert [(e.line, e.column) for e in result.errors] == [
        (3, "id_number"), (5, "members"), (7, "baseline_income_per_capita")]
    assert Household.objects.count() == 0


@pytest.mark.parametrize("column, value", [
    ("township_code", "530699999"), ("poverty_cause", "77"), ("attribute", "x"), ("poverty_status", "9"),
    ("members", "two"), ("baseline_income_per_capita", "abc"), ("baseline_income_per_capita", "1e3"),
    ("baseline_income_per_capita", "12.345"), ("identified_year", "1999"), ("exited_year", "2001"),
    ("head_name", ""), ("consent_to_sell", "maybe"),
])
def test_each_rule_refuses_its_bad_value(townships, column, value):
    text = with_changes(synthetic_registry_csv(townships=townships, rows=2), 2, **{column: value})
    result = households_import(file=io.StringIO(text))
    assert [(e.line, e.column) for e in result.errors] == [(2, column)]


def test_a_registry_id_twice_in_the_file_is_refused(townships):
    text = synthetic_registry_csv(townships=townships, rows=3)
    text = with_changes(text, 4, registry_id=csv_rows(text)[0]["registry_id"])
    assert [(e.line, e.column) for e in households_import(file=io.StringIO(text)).errors] == [(4, "registry_id")]


def test_a_registry_id_already_in_the_registry_is_refused(townships):
    text = synthetic_registry_csv(townships=townships, rows=2)
    households_import(file=io.StringIO(text))
    result = households_import(file=io.StringIO(text))
    assert {e.column for e in result.errors} == {"registry_id"} and len(result.errors) == 2


def test_a_missing_column_is_reported_before_any_row(townships):
    rows = csv_rows(synthetic_registry_csv(townships=townships, rows=1))
    for row in rows:
        del row["members"]
    result = households_import(file=io.StringIO(csv_text(rows)))
    assert [(e.line, e.column) for e in result.errors] == [(1, "members")]


def test_a_dry_run_imports_nothing(townships):
    result = households_import(file=io.StringIO(synthetic_registry_csv(townships=townships, rows=3)), dry_run=True)
    assert result.errors == [] and result.rows == 3 and Household.objects.count() == 0


def test_a_file_saved_with_a_byte_order_mark_imports(townships):
    data = ("\ufeff" + synthetic_registry_csv(townships=townships, rows=2)).encode("utf-8")
    assert households_import(file=data).imported == 2


def test_a_station_imports_only_its_own_townships(townships):
    text = synthetic_registry_csv(townships=townships, rows=2)  # one Miaoba, one Poji row
    result = households_import(file=io.StringIO(text), townships={"530623105"})
    assert [(e.line, e.column) for e in result.errors] == [(3, "township_code")]


def test_the_command_names_bad_rows_and_fails(townships, tmp_path, capsys):
    path = tmp_path / "registry.csv"
    path.write_text(with_changes(synthetic_registry_csv(townships=townships, rows=2), 3, members="0"), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_households", str(path))
    assert "3" in capsys.readouterr().out and Household.objects.count() == 0


def test_the_command_imports_a_clean_file(townships, tmp_path, capsys):
    path = tmp_path / "registry.csv"
    path.write_text(synthetic_registry_csv(townships=townships, rows=5), encoding="utf-8")
    call_command("import_households", str(path))
    assert Household.objects.count() == 5
