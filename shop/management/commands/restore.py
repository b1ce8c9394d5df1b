"""`manage.py restore <directory>`: check a backup made by `manage.py backup`, then put it into the
database and the media bucket the environment names, both empty unless --force.
See shop/management/backups.py."""

from pathlib import Path

from django.core.management.base import BaseCommand

from shop.management.backups import backup_check, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup of `manage.py backup` into the configured database (pg_restore) and media bucket. "
        "Checks every file against the manifest first; refuses a database with tables or a bucket with "
        "objects unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--only", choices=("database", "media"), help="Restore only the database or only the bucket.")
        parser.add_argument(
            "--force", action="store_true",
            help="Restore into a database that has tables (pg_restore --clean: the backup's tables are dropped "
            "and made anew) and a bucket that has objects (those of the same keys are replaced, others stay).",
        )
        parser.add_argument("--check", action="store_true", help="Only check that the backup is complete and intact.")

    def handle(self, *args, directory, only, force, check, **options):
        if check:
            manifest = backup_check(directory)
            self.stdout.write(self.style.SUCCESS(
                f"Backup of {manifest['finished_at']} is complete: database {manifest['database']['name']}, "
                f"{manifest['media']['objects']:,} objects ({manifest['media']['bytes']:,} bytes)."
            ))
            return
        backup_restore(directory, database=only != "media", media=only != "database", force=force,
                       log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Restored from {directory}."))
