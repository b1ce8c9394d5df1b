"""The database itself refuses to change or remove a ledger entry, whatever code (or person at a
SQL prompt) asks: triggers on UPDATE and DELETE, on SQLite and PostgreSQL alike.

One escape, for test databases only: Django empties tables between transactional tests (SQLite
with DELETE; PostgreSQL with TRUNCATE, which row triggers do not see). On SQLite the DELETE
trigger stands aside while a table named `impact_ledger_purge_allowed` exists, which
`tests/conftest.py` creates in the test database and nothing creates anywhere else."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE TRIGGER impact_ledgerentry_no_update BEFORE UPDATE ON impact_ledgerentry
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END""",
    """CREATE TRIGGER impact_ledgerentry_no_delete BEFORE DELETE ON impact_ledgerentry
       WHEN NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'impact_ledger_purge_allowed')
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS impact_ledgerentry_no_update",
    "DROP TRIGGER IF EXISTS impact_ledgerentry_no_delete",
]
POSTGRES_FORWARD = [
    """CREATE FUNCTION impact_ledgerentry_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'ledger entries are append-only' USING ERRCODE = 'integrity_constraint_violation';
       END $$""",
    """CREATE TRIGGER impact_ledgerentry_append_only BEFORE UPDATE OR DELETE ON impact_ledgerentry
       FOR EACH ROW EXECUTE FUNCTION impact_ledgerentry_refuse_change()""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS impact_ledgerentry_append_only ON impact_ledgerentry",
    "DROP FUNCTION IF EXISTS impact_ledgerentry_refuse_change()",
]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("impact", "0003_ledger")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
