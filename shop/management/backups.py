"""Backups of what production keeps, and their restore: the PostgreSQL database (`pg_dump
--format=custom`, restored with `pg_restore`) and the media bucket's objects (copied with boto3 into
files named by their keys, so `aws s3 sync` or any S3 tool can put them back without this code).
Redis holds nothing to keep: sessions are written to the database, the rest is cache.

A backup is a directory:
    manifest.json    when, what, and a SHA-256 of every file: a restore checks the backup first
    database.dump    pg_dump's custom format
    media/<key>      each object of the bucket

Both commands read the same environment as the app servers (DATABASE_URL, AWS_*), so a restore goes
wherever that environment points: make a new database and bucket, restore, check, then switch."""

import hashlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from django.core.files.storage import storages
from django.core.management.base import CommandError
from django.db import connections
from storages.backends.s3 import S3Storage

MANIFEST = "manifest.json"
DATABASE_FILE = "database.dump"
MEDIA_DIR = "media"
MANIFEST_FORMAT = 1
# Objects move a few at a time: one by one, a bucket of photos is mostly waiting on round trips.
TRANSFER_THREADS = 8
CHUNK = 1024 * 1024
# The object headers a browser sees, kept so the restored photo is served as the original was.
OBJECT_HEADERS = ("ContentType", "CacheControl", "ContentEncoding", "ContentDisposition", "ContentLanguage",
                  "Metadata")
# What libpq reads from the environment for the OPTIONS a DATABASE_URL's query string may carry.
LIBPQ_OPTIONS = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
                 "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT", "options": "PGOPTIONS",
                 "target_session_attrs": "PGTARGETSESSIONATTRS"}

Log = Callable[[str], None]


# The database

def database_settings() -> dict:
    settings_dict = connections["default"].settings_dict
    if connections["default"].vendor != "postgresql":
        raise CommandError("Backups are of the production database: DATABASE_URL must point to PostgreSQL.")
    return settings_dict


def libpq_environment(settings_dict: dict) -> dict[str, str]:
    """The environment pg_dump and pg_restore connect with: the password stays out of their
    command line, which every user of the machine can read in `ps`."""
    environment = {"PGDATABASE": settings_dict["NAME"], "PGHOST": settings_dict.get("HOST") or "",
                   "PGPORT": str(settings_dict.get("PORT") or ""), "PGUSER": settings_dict.get("USER") or "",
                   "PGPASSWORD": settings_dict.get("PASSWORD") or ""}
    for option, variable in LIBPQ_OPTIONS.items():
        if option in settings_dict.get("OPTIONS", {}):
            environment[variable] = str(settings_dict["OPTIONS"][option])
    return {**os.environ, **{name: value for name, value in environment.items() if value}}


def client_version(program: str) -> tuple[str, int]:
    """The version of PostgreSQL's `program` on PATH, and its major number."""
    if not shutil.which(program):
        raise CommandError(f"{program} is not on PATH: install PostgreSQL's client programs (postgresql-client).")
    output = subprocess.run([program, "--version"], capture_output=True, text=True, check=True).stdout
    version = re.search(r"(\d+)(?:\.\d+)*", output).group(0)
    return version, int(version.split(".")[0])


def server_version() -> tuple[str, int]:
    number = connections["default"].pg_version  # e.g. 150020 for 15.20
    return f"{number // 10000}.{number % 10000}", number // 10000


def run(argv: list[str], environment: dict[str, str]) -> None:
    result = subprocess.run(argv, env=environment, capture_output=True, text=True)
    if result.returncode:
        raise CommandError(f"{argv[0]} failed ({result.returncode}):\n{result.stderr.strip()}")


def database_dump(path: Path) -> dict:
    settings_dict = database_settings()
    dump_version, dump_major = client_version("pg_dump")
    version, major = server_version()
    # pg_dump reads servers of its own major version and older only; it would stop with a
    # mismatch error, this says what to install.
    if dump_major < major:
        raise CommandError(f"pg_dump {dump_version} cannot dump a PostgreSQL {version} server: install "
                           f"postgresql-client-{major} and put its pg_dump first on PATH.")
    run(["pg_dump", "--format=custom", f"--file={path}"], libpq_environment(settings_dict))
    return {"name": settings_dict["NAME"], "server_version": version, "pg_dump_version": dump_version,
            "file": path.name, **file_facts(path)}


def database_tables() -> int:
    """How many tables the database has outside PostgreSQL's own schemas."""
    with connections["default"].cursor() as cursor:
        # Not the tables an extension brings with it (PostGIS' spatial_ref_sys in a new database).
        cursor.execute(
            "SELECT count(*) FROM pg_catalog.pg_tables t "
            "WHERE t.schemaname NOT IN ('pg_catalog', 'information_schema') AND NOT EXISTS ("
            "  SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass"
            "  AND d.objid = format('%I.%I', t.schemaname, t.tablename)::regclass AND d.deptype = 'e')"
        )
        return cursor.fetchone()[0]


def database_restore(path: Path, *, replace: bool) -> None:
    settings_dict = database_settings()
    client_version("pg_restore")
    # Django keeps no connection open across pg_restore: with --clean it may have to drop tables.
    connections["default"].close()
    options = [
        # All or nothing: a failed restore leaves the database as it was.
        "--single-transaction", "--exit-on-error",
        # The tables belong to whoever restores them (DATABASE_URL's user), whatever the roles
        # of the server that was dumped were called.
        "--no-owner", "--no-privileges",
    ]
    if replace:
        options += ["--clean", "--if-exists"]
    run(["pg_restore", *options, f"--dbname={settings_dict['NAME']}", str(path)], libpq_environment(settings_dict))


# The media bucket

def media_bucket() -> tuple[object, str]:
    """A boto3 S3 client configured as the media storage is (endpoint, keys, region, addressing
    style), and the bucket's name."""
    storage = storages["default"]
    if not isinstance(storage, S3Storage):
        raise CommandError("Backups are of the production media bucket: AWS_STORAGE_BUCKET_NAME must be set.")
    return storage.connection.meta.client, storage.bucket_name


def bucket_objects(client, bucket: str) -> dict[str, int]:
    """Every object of `bucket`: its size by its key."""
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        found.update({item["Key"]: item["Size"] for item in page.get("Contents", [])})
    return found


def key_path(media: Path, key: str) -> Path:
    """Where the object `key` is kept in a backup, refusing keys that are no relative file path
    (a key may hold "..", and a folder marker "x/" cannot be a file beside "x/y")."""
    parts = PurePosixPath(key).parts
    # "." segments too: "a/./b" would be kept in the same file as "a/b", one over the other.
    segments = key.split("/")
    if not parts or key.startswith("/") or key.endswith("/") or {"", ".", ".."} & set(segments):
        raise CommandError(f"The bucket holds an object whose key is no file path: {key!r}.")
    return media.joinpath(*parts)


def object_download(client, bucket: str, key: str, media: Path) -> dict:
    path = key_path(media, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    response = client.get_object(Bucket=bucket, Key=key)
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for chunk in response["Body"].iter_chunks(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    headers = {name: response[name] for name in OBJECT_HEADERS if response.get(name)}
    return {"key": key, "bytes": path.stat().st_size, "sha256": digest.hexdigest(), "headers": headers}


def object_upload(client, bucket: str, item: dict, media: Path) -> None:
    # boto3 sends a checksum of each part, which S3 checks before it stores the object.
    client.upload_file(str(key_path(media, item["key"])), bucket, item["key"], ExtraArgs=item["headers"])


def media_download(directory: Path) -> dict:
    client, bucket = media_bucket()
    media = directory / MEDIA_DIR
    media.mkdir()
    keys = sorted(bucket_objects(client, bucket))
    with ThreadPoolExecutor(TRANSFER_THREADS) as pool:
        items = list(pool.map(lambda key: object_download(client, bucket, key, media), keys))
    return {"bucket": bucket, "directory": MEDIA_DIR, "objects": len(items),
            "bytes": sum(item["bytes"] for item in items), "items": items}


def media_upload(directory: Path, manifest: dict) -> None:
    client, bucket = media_bucket()
    media = directory / manifest["media"]["directory"]
    with ThreadPoolExecutor(TRANSFER_THREADS) as pool:
        list(pool.map(lambda item: object_upload(client, bucket, item, media), manifest["media"]["items"]))
    stored = bucket_objects(client, bucket)
    missing = [item["key"] for item in manifest["media"]["items"] if stored.get(item["key"]) != item["bytes"]]
    if missing:
        raise CommandError(f"{len(missing)} objects are not in bucket {bucket} as backed up, e.g. {missing[:5]}.")


# The backup as a whole

def file_facts(path: Path) -> dict:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def backup_make(directory: Path, *, log: Log) -> dict:
    """Dump the database and copy the media bucket into `directory` (new or empty); the manifest."""
    if directory.exists() and not directory.is_dir():
        raise CommandError(f"{directory} is a file; a backup is a directory.")
    if directory.exists() and any(directory.iterdir()):
        raise CommandError(f"{directory} is not empty: give each backup a directory of its own.")
    database_settings()
    media_bucket()
    # The dump holds households' ID and bank account numbers: only the operator reads it.
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)
    began = datetime.now(UTC)
    database = database_dump(directory / DATABASE_FILE)
    log(f"Database {database['name']}: {database['bytes']:,} bytes dumped.")
    # The bucket after the database: a photo is stored before the row naming it commits, and
    # objects are never replaced (AWS_S3_FILE_OVERWRITE off), so every object the dump names is
    # copied. Objects newer than the dump come along too, unnamed and harmless.
    media = media_download(directory)
    log(f"Bucket {media['bucket']}: {media['objects']:,} objects, {media['bytes']:,} bytes copied.")
    manifest = {"format": MANIFEST_FORMAT, "started_at": began.isoformat(timespec="seconds"),
                "finished_at": datetime.now(UTC).isoformat(timespec="seconds"), "database": database, "media": media}
    # Written last: a backup that stopped halfway has no manifest, and a restore refuses it.
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return manifest


def backup_check(directory: Path) -> dict:
    """The manifest of the backup in `directory` once every file in it is there as it was written."""
    path = directory / MANIFEST
    if not path.is_file():
        raise CommandError(f"{directory} holds no {MANIFEST}: not a backup, or one that did not finish.")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != MANIFEST_FORMAT:
        raise CommandError(f"{path} is of format {manifest.get('format')}; this restore reads {MANIFEST_FORMAT}.")
    if (manifest["database"]["file"], manifest["media"]["directory"]) != (DATABASE_FILE, MEDIA_DIR):
        raise CommandError(f"{path} names files this backup does not have; it was not made by `manage.py backup`.")
    media = directory / MEDIA_DIR
    expected = [(directory / DATABASE_FILE, manifest["database"]),
                *((key_path(media, item["key"]), item) for item in manifest["media"]["items"])]
    damaged = [str(file.relative_to(directory)) for file, facts in expected
               if not file.is_file() or file_facts(file) != {"bytes": facts["bytes"], "sha256": facts["sha256"]}]
    if damaged:
        raise CommandError(f"The backup is damaged, files missing or not as {MANIFEST} records them "
                           f"({len(damaged)}): {', '.join(damaged[:5])}.")
    return manifest


def backup_restore(directory: Path, *, database: bool, media: bool, force: bool, log: Log) -> dict:
    """Put the backup in `directory` into the configured database and bucket, which must be empty
    unless `force`. Checks the backup, then both targets, before it writes anything."""
    manifest = backup_check(directory)
    log(f"Backup of {manifest['finished_at']} is complete: {manifest['media']['objects']:,} objects, "
        f"database {manifest['database']['name']}.")
    refusals = []
    if database:
        database_settings()
        if (tables := database_tables()) and not force:
            refusals.append(f"database {connections['default'].settings_dict['NAME']} already has {tables} tables")
    if media:
        client, bucket = media_bucket()
        if (objects := bucket_objects(client, bucket)) and not force:
            refusals.append(f"bucket {bucket} already holds {len(objects)} objects")
    if refusals:
        raise CommandError(
            f"Not restoring: the {' and the '.join(refusals)}. Restore into an empty database (createdb) and an "
            "empty bucket, or pass --force to replace the tables the backup holds and the objects of the same keys."
        )
    if database:
        database_restore(directory / DATABASE_FILE, replace=force)
        log(f"Database {connections['default'].settings_dict['NAME']} restored.")
    if media:
        media_upload(directory, manifest)
        log(f"Bucket {media_bucket()[1]}: {manifest['media']['objects']:,} objects restored.")
    return manifest
