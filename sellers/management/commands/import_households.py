from django.core.management.base import BaseCommand, CommandError

from sellers.registry_import import households_import


class Command(BaseCommand):
    help = "Import registered households from a UTF-8 CSV file: all rows or none; every bad row is named."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="only check the rows; import nothing")

    def handle(self, *args, file, dry_run, **options):
        with open(file, encoding="utf-8-sig", newline="") as f:
            result = households_import(
                file=f, dry_run=dry_run, progress=lambda n: self.stderr.write(f"{n} rows checked…")
            )
        for error in result.errors:
            self.stdout.write(str(error))
        if result.errors:
            raise CommandError(f"{len(result.errors)} problems in {result.rows} rows; nothing was imported.")
        verb = "would import" if dry_run else "imported"
        self.stdout.write(self.style.SUCCESS(f"{result.rows} rows checked, {verb} {result.rows if dry_run else result.imported}."))
