from django.core.management.base import BaseCommand, CommandError

from sellers.registry_import import households_import


class Command(BaseCommand):
    help = ("Import registered households from a CSV file (UTF-8, or GBK as Excel in China saves it): all rows "
            "or none; every bad row is named. No limit on the file's size or rows (the console has one).")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="only check the rows; import nothing")

    def handle(self, *args, file, dry_run, **options):
        with open(file, "rb") as f:  # the importer finds the encoding, and refuses what is not a CSV file
            result = households_import(
                file=f, dry_run=dry_run, progress=lambda n: self.stderr.write(f"{n} rows checked…"), max_rows=None
            )
        for error in result.errors:
            self.stdout.write(str(error))
        if result.errors:
            raise CommandError(f"{len(result.errors)} problems in {result.rows} rows; nothing was imported."
                               if result.rows else "The file was refused; nothing was imported.")
        verb = "would import" if dry_run else "imported"
        self.stdout.write(self.style.SUCCESS(f"{result.rows} rows checked, {verb} {result.rows if dry_run else result.imported}."))
