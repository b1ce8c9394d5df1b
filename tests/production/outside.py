"""The outside systems of the production settings, real and local: the machine's Redis, a
moto_server standing in for S3, and the production settings read in a fresh interpreter.

Everything here starts what it needs or says why it could not, so that the tests skip with a
reason on a machine without Redis or moto, and run everywhere else (CI starts both)."""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import boto3
from django.conf import settings

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# Databases of their own (the demo and the other tests use 0), and within them keys and a queue
# of this run's own: two runs on one machine share its Redis, and each removes only its own.
CACHE_REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/15"
BROKER_REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/14"
RUN = f"wumeng-test-{secrets.token_hex(4)}"
BUCKET = "wumeng-media"
S3_KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
REGION = "us-east-1"
PRODUCTION = "shop.settings.production"
# What production reads that a developer's environment or .env could fill in behind a test's back.
CONTROLLED = (
    "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER",
    "AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "AWS_S3_REGION_NAME", "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY", "AWS_S3_ADDRESSING_STYLE", "AWS_QUERYSTRING_AUTH", "STATIC_ROOT", "EMAIL_URL",
    "EMAIL_BACKEND",
)
STARTUP_SECONDS = 30
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "PublicReadMedia", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                   "Resource": f"arn:aws:s3:::{BUCKET}/*"}],
}


def tool(name: str) -> Path:
    """An executable installed beside this Python (the virtualenv's bin/)."""
    return Path(sys.executable).with_name(name)


def reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=0.5).close()
    except OSError:
        return False
    return True


def redis_reachable() -> bool:
    return reachable(REDIS_HOST, REDIS_PORT)


def run_keys(client, pattern: str = "") -> list[bytes]:
    """This run's keys in the Redis database of `client` that end with `pattern`."""
    return list(client.scan_iter(f"*{RUN}*{pattern}"))


def run_keys_delete(client) -> None:
    for key in run_keys(client):
        client.delete(key)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, *, seconds: float, step: float = 0.2) -> bool:
    """Whether `condition()` came true within `seconds` (a bound for a slow machine, not a timing)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def stop(process: subprocess.Popen) -> None:
    """Ask the process to finish (a warm shutdown for Celery), then insist."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def moto_s3(log: Path):
    """A moto_server on a free port with the media bucket created in it: its endpoint URL.
    Raises RuntimeError saying why when it cannot be started."""
    executable = tool("moto_server")
    if not executable.exists():
        raise RuntimeError(f"{executable} is missing (pip install moto[server], see requirements.txt)")
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen([str(executable), "-H", "127.0.0.1", "-p", str(port)], stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        if not wait_until(lambda: process.poll() is not None or reachable("127.0.0.1", port),
                          seconds=STARTUP_SECONDS) or process.poll() is not None:
            raise RuntimeError(f"moto_server did not start: {log.read_text()[-2000:]}")
        endpoint = f"http://127.0.0.1:{port}"
        s3 = s3_client(endpoint)
        s3.create_bucket(Bucket=BUCKET)
        # As a deployment sets its media bucket up: anyone may read the photos (plain URLs,
        # AWS_QUERYSTRING_AUTH off), only the site's keys may write.
        s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))
        yield endpoint
    finally:
        stop(process)


def s3_client(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id=S3_KEYS["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=S3_KEYS["AWS_SECRET_ACCESS_KEY"])


def bucket_keys(endpoint: str, bucket: str = BUCKET) -> set[str]:
    listing = s3_client(endpoint).list_objects_v2(Bucket=bucket)
    return {item["Key"] for item in listing.get("Contents", [])}


def production_environment(**environment: str) -> dict[str, str]:
    """The process environment of a production process: this one's, with the production settings
    module, a generated SECRET_KEY, and `environment` for what production reads (the rest empty)."""
    leave_out = {*CONTROLLED, "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    outside = {k: v for k, v in os.environ.items() if k not in leave_out}
    # Not Django's get_random_secret_key(): django-environ reads a value that starts with "$" as the
    # name of another variable, and one key in 51 does.
    required = {"SECRET_KEY": secrets.token_urlsafe(50), "AWS_STORAGE_BUCKET_NAME": BUCKET,
                # Read, never connected to, by what only loads the settings.
                "DATABASE_URL": "postgres://wumeng@db.internal:5432/wumeng",
                "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    controlled = dict.fromkeys(CONTROLLED, "") | required | environment
    return {**outside, **controlled, "DJANGO_SETTINGS_MODULE": PRODUCTION}


def production_settings(*names: str, **environment: str) -> dict:
    """Settings `names` as production computes them from `environment`, read in a fresh
    interpreter (importing them here would change the test settings' own dictionaries)."""
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {list(names)!r}}}, default=str))"
    )
    result = subprocess.run([sys.executable, "-c", script], env=production_environment(**environment),
                            capture_output=True, text=True, cwd=settings.BASE_DIR, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the PostgreSQL database `settings_dict` describes (the test database)."""
    user = settings_dict.get("USER") or ""
    password = f":{quote(settings_dict['PASSWORD'], safe='')}" if settings_dict.get("PASSWORD") else ""
    at = f"{user}{password}@" if user else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{at}{host}:{port}/{settings_dict['NAME']}"
