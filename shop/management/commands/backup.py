"""`manage.py backup <directory>`: dump the database and copy the media bucket into a new directory,
with a manifest a restore checks them against. See shop/management/backups.py."""

from pathlib import Path

from django.core.management.base import BaseCommand

from shop.management.backups import backup_make


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump --format=custom) and every object of the media bucket into DIRECTORY "
        "(new or empty), with manifest.json: sizes and SHA-256 of every file."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory, **options):
        manifest = backup_make(directory, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(
            f"Backup in {directory}: database {manifest['database']['name']} and "
            f"{manifest['media']['objects']:,} objects of bucket {manifest['media']['bucket']}."
        ))
