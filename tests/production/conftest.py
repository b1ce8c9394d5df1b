"""Fixtures of the production path: the media bucket on a local S3 (moto_server), the machine's
Redis (a database of the tests' own, flushed), the production settings read from production.py."""

import pytest
import redis
from django.conf import settings
from django.test import override_settings
from django.utils.functional import empty
from sorl.thumbnail import default as sorl_default

from tests.production.outside import (
    BUCKET,
    CACHE_REDIS_URL,
    REGION,
    RUN,
    S3_KEYS,
    moto_s3,
    production_settings,
    redis_reachable,
    run_keys_delete,
)


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """The endpoint URL of a moto_server with the media bucket, for the whole run."""
    try:
        with moto_s3(tmp_path_factory.mktemp("moto") / "moto_server.log") as endpoint:
            yield endpoint
    except RuntimeError as error:
        pytest.skip(f"no local S3: {error}")


@pytest.fixture(scope="session")
def s3_settings(s3_endpoint):
    """Production's media settings, as production.py computes them from the variables a deployment
    on a self-hosted S3 sets, pointed at the local S3."""
    environment = {
        "AWS_STORAGE_BUCKET_NAME": BUCKET, "AWS_S3_ENDPOINT_URL": s3_endpoint, "AWS_S3_REGION_NAME": REGION,
        "AWS_S3_ADDRESSING_STYLE": "path", **S3_KEYS,
    }
    names = [*environment, "AWS_QUERYSTRING_AUTH", "AWS_S3_FILE_OVERWRITE", "STORAGES", "THUMBNAIL_STORAGE",
             "THUMBNAIL_KVSTORE", "THUMBNAIL_CACHE"]
    found = production_settings(*names, **environment)
    # The static files stay as the test settings serve them (no collectstatic in these tests).
    found["STORAGES"]["staticfiles"] = settings.STORAGES["staticfiles"]
    return found


def _sorl_forgets_its_storage():
    # sorl keeps the storage it first wrote thumbnails to; a test's settings name another.
    sorl_default.storage._wrapped = empty


@pytest.fixture
def s3_media(s3_settings, s3_endpoint):
    """Media on the local S3 for one test: its endpoint URL."""
    _sorl_forgets_its_storage()
    with override_settings(**s3_settings):
        yield s3_endpoint
    _sorl_forgets_its_storage()


@pytest.fixture(scope="session")
def redis_settings():
    """Production's cache and session settings with REDIS_URL set (to the tests' own database)."""
    if not redis_reachable():
        pytest.skip("no Redis at 127.0.0.1:6379")
    found = production_settings("CACHES", "SESSION_ENGINE", REDIS_URL=CACHE_REDIS_URL)
    found["CACHES"]["default"]["KEY_PREFIX"] = RUN
    return found


@pytest.fixture
def redis_db(redis_settings):
    """A client of the tests' own Redis database, without this run's keys at the start and the end."""
    client = redis.Redis.from_url(CACHE_REDIS_URL)
    run_keys_delete(client)
    yield client
    run_keys_delete(client)


@pytest.fixture
def redis_cache(redis_settings, redis_db):
    """Cache and sessions on Redis, as production has them, for one test: the Redis client."""
    with override_settings(**redis_settings):
        yield redis_db
