"""`manage.py backup` and `manage.py restore` (shop/management/backups.py): what they refuse. The
whole round trip, restored into a new database and bucket and compared, is `make prod-smoke`'s.

The backup dumps the test database with pg_dump (on PostgreSQL only: run with
DATABASE_URL=postgres://...) and copies the media bucket on the local S3."""

import hashlib
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from shop.management.backups import key_path
from tests.production.outside import BUCKET, s3_client

pytestmark = [pytest.mark.production]
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="pg_dump needs the tests on PostgreSQL (DATABASE_URL=postgres://...)")
PHOTO = b"\xff\xd8 a photo of gastrodia \xff\xd9"
PHOTO_KEY = "images/products/2026/01/backup-test.jpg"


@pytest.fixture
def backup(s3_media, tmp_path, db):
    """A backup of the test database and of the bucket, which holds at least PHOTO: its directory."""
    s3_client(s3_media).put_object(Bucket=BUCKET, Key=PHOTO_KEY, Body=PHOTO, ContentType="image/jpeg")
    call_command("backup", tmp_path / "backup")
    return tmp_path / "backup"


def restore(directory, *options):
    call_command("restore", str(directory), *options)


def test_backup_refuses_a_directory_that_holds_something(tmp_path):
    (tmp_path / "yesterday.dump").write_bytes(b"old")
    with pytest.raises(CommandError, match="is not empty"):
        call_command("backup", tmp_path)


def test_backup_refuses_a_file_for_its_directory(tmp_path):
    (tmp_path / "backup").write_bytes(b"not a directory")
    with pytest.raises(CommandError, match="is a file"):
        call_command("backup", tmp_path / "backup")


@pytest.mark.parametrize("key", ["a/./b.jpg", "./a.jpg", "a//b.jpg", "a/../b.jpg", "/a.jpg", "a/"])
def test_an_object_key_that_is_no_plain_file_path_is_refused(tmp_path, key):
    """Such a key could be kept in the same file as another (a/./b and a/b) or outside the backup."""
    with pytest.raises(CommandError, match="no file path"):
        key_path(tmp_path, key)


def test_restore_refuses_a_manifest_naming_other_files(tmp_path):
    manifest = {"format": 1, "database": {"file": "../elsewhere.dump"}, "media": {"directory": "media", "items": []}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="names files this backup does not have"):
        restore(tmp_path, "--check")


def test_restore_refuses_a_directory_without_a_manifest(tmp_path):
    (tmp_path / "database.dump").write_bytes(b"half a backup")
    with pytest.raises(CommandError, match="holds no manifest.json"):
        restore(tmp_path)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal of a database that is not PostgreSQL")
def test_backup_refuses_a_database_that_is_not_postgresql(tmp_path):
    with pytest.raises(CommandError, match="must point to PostgreSQL"):
        call_command("backup", tmp_path / "backup")


@on_postgresql
def test_a_backup_lists_each_object_with_its_checksum_and_headers(backup):
    items = {item["key"]: item for item in json.loads((backup / "manifest.json").read_text())["media"]["items"]}
    assert items[PHOTO_KEY] == {"key": PHOTO_KEY, "bytes": len(PHOTO), "sha256": hashlib.sha256(PHOTO).hexdigest(),
                                "headers": {"ContentType": "image/jpeg"}}


@on_postgresql
def test_restore_refuses_a_damaged_backup(backup):
    (backup / "media" / PHOTO_KEY).write_bytes(b"\xff\xd8 another photo \xff\xd9")
    with pytest.raises(CommandError, match=rf"damaged, .* \(1\): media/{PHOTO_KEY}\."):
        restore(backup, "--check")


@on_postgresql
def test_restore_refuses_a_database_that_has_tables(backup):
    with pytest.raises(CommandError, match=r"Not restoring: the database \S+ already has \d+ tables.*--force"):
        restore(backup, "--only", "database")


@on_postgresql
def test_restore_refuses_a_bucket_that_has_objects(backup):
    with pytest.raises(CommandError, match=rf"Not restoring: the bucket {BUCKET} already holds \d+ objects.*--force"):
        restore(backup, "--only", "media")
