"""The probes (`/healthz`: the process answers; `/readyz`: database, cache and broker reachable)
and the JSON log lines of production. Outside systems are real where they can be: a closed port,
a port that never answers, and the machine's Redis when it runs."""

import json
import logging
import os
import runpy
import socket
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import OperationalError, connections
from django.test import RequestFactory

from shop import health
from shop.logs import JsonFormatter

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/0"
CLOSED_PORT_URL = "redis://127.0.0.1:1/0"
PROBES = ("/healthz", "/readyz")


def redis_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


def redis_cache(url: str) -> dict:
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}


@pytest.fixture
def silent_port():
    """A port that takes connections and never says a word: a host that has hung."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield listener.getsockname()[1]
    listener.close()


@pytest.fixture
def short_checks(monkeypatch):
    monkeypatch.setattr(health, "CHECK_TIMEOUT", 0.5)


# /healthz -------------------------------------------------------------------------------------


def test_it_says_the_process_is_alive(client):
    response = client.get("/healthz")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_it_answers_healthz_without_a_database_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        client.get("/healthz")


def test_it_answers_healthz_while_cache_and_broker_are_down(client, settings):
    settings.CACHES = redis_cache(CLOSED_PORT_URL)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = CLOSED_PORT_URL

    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("path", PROBES)
def test_no_proxy_keeps_a_probes_answer(client, path):
    assert client.get(path)["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", PROBES)
def test_a_probe_sets_no_cookie(client, path):
    assert client.get(path).cookies == {}


@pytest.mark.parametrize("path", PROBES)
def test_a_probe_is_not_sent_to_a_language(client, path):
    assert client.get(path, headers={"accept-language": "en"}).status_code == 200


@pytest.mark.parametrize("path", PROBES)
def test_a_balancer_may_probe_with_head(client, path):
    assert client.head(path).status_code == 200


@pytest.mark.parametrize("path", PROBES)
def test_a_probe_refuses_a_post(client, path):
    assert client.post(path).status_code == 405


@pytest.mark.parametrize("path", PROBES)
def test_a_probe_answers_over_plain_http_where_everything_else_is_redirected(client, settings, path):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

    assert (client.get(path).status_code, client.get("/").status_code) == (200, 301)


# /readyz --------------------------------------------------------------------------------------


def test_it_is_ready_with_the_embedded_default(client):
    response = client.get("/readyz")

    assert (response.status_code, response.json()) == (
        200, {"status": "ok", "checks": {"database": "ok", "cache": "ok", "broker": "inline"}},
    )


def test_it_is_not_ready_when_the_database_is_unreachable(client, monkeypatch):
    def refuse(self, conn_params):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(type(connections["default"]), "get_new_connection", refuse)

    response = client.get("/readyz")

    assert (response.status_code, response.json()["failing"]) == (503, ["database"])


def test_it_is_not_ready_when_the_cache_is_unreachable(client, settings):
    settings.CACHES = redis_cache(CLOSED_PORT_URL)

    response = client.get("/readyz")

    assert (response.status_code, response.json()["failing"]) == (503, ["cache"])


def test_it_is_not_ready_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = CLOSED_PORT_URL

    response = client.get("/readyz")

    assert (response.status_code, response.json()) == (503, {
        "status": "unavailable", "failing": ["broker"],
        "checks": {"database": "ok", "cache": "ok", "broker": "unavailable"},
    })


def test_it_names_no_host_or_password_and_shows_no_error_text(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://:s3cret-password@127.0.0.1:1/0"

    body = client.get("/readyz").content.decode()

    assert [word in body for word in ("s3cret", "127.0.0.1", "Error", "Traceback", "refused")] == [False] * 5


def test_it_gives_up_on_a_cache_that_never_answers(client, settings, silent_port, short_checks):
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{silent_port}/0")

    response = client.get("/readyz")

    assert (response.status_code, response.json()["checks"]["cache"]) == (503, "timeout")


def test_it_gives_up_on_a_broker_that_never_answers(client, settings, silent_port, short_checks):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{silent_port}/0"

    response = client.get("/readyz")

    assert (response.status_code, response.json()["failing"]) == (503, ["broker"])


@pytest.mark.skipif(not redis_running(), reason="no Redis at 127.0.0.1:6379")
def test_it_is_ready_with_redis_as_cache_and_broker(client, settings):
    settings.CACHES = redis_cache(REDIS_URL)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = REDIS_URL

    response = client.get("/readyz")

    assert (response.status_code, response.json()["checks"]) == (
        200, {"database": "ok", "cache": "ok", "broker": "ok"},
    )


# JSON log lines -------------------------------------------------------------------------------


def log_record(message: str, *args, exc_info=None, **extra) -> logging.LogRecord:
    record = logging.getLogger("wumeng.test").makeRecord(
        "wumeng.test", logging.WARNING, __file__, 1, message, args, exc_info,
    )
    record.__dict__.update(extra)
    return record


def test_a_json_log_line_holds_time_level_logger_and_message():
    line = json.loads(JsonFormatter().format(log_record("库存不足: %s 只", 3)))

    assert (sorted(line), line["level"], line["logger"], line["message"]) == (
        ["level", "logger", "message", "time"], "WARNING", "wumeng.test", "库存不足: 3 只",
    )


def test_a_json_log_line_is_timed_in_utc():
    line = json.loads(JsonFormatter().format(log_record("tick")))

    assert line["time"].endswith("+00:00")


def test_a_json_log_line_keeps_a_traceback_on_its_one_line():
    try:
        raise ValueError("bad weight")
    except ValueError:
        text = JsonFormatter().format(log_record("intake failed", exc_info=sys.exc_info()))

    line = json.loads(text)
    assert ("\n" not in text, "Traceback" in line["exc_info"], "ValueError: bad weight" in line["exc_info"]) == (
        True, True, True,
    )


def test_a_json_log_line_carries_the_balancers_request_id():
    request = RequestFactory().get("/basket/", headers={"x-request-id": "req-7f3a"})

    line = json.loads(JsonFormatter().format(log_record("Not Found", request=request)))

    assert line["request_id"] == "req-7f3a"


def test_a_gunicorn_access_line_carries_the_balancers_request_id():
    atoms = {"r": "GET /healthz HTTP/1.1", "s": "200", "{x-request-id}i": "req-9b1c"}
    record = logging.getLogger("gunicorn.access").makeRecord(
        "gunicorn.access", logging.INFO, __file__, 1, '"%(r)s" %(s)s', (atoms,), None,
    )

    line = json.loads(JsonFormatter().format(record))

    assert (line["message"], line["request_id"]) == ('"GET /healthz HTTP/1.1" 200', "req-9b1c")


def test_a_json_log_line_carries_a_request_id_given_by_the_caller():
    line = json.loads(JsonFormatter().format(log_record("sent", request_id="task-42")))

    assert line["request_id"] == "task-42"


def _run_with_settings(code: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("LOG_FORMAT", "DJANGO_SETTINGS_MODULE")}
    return subprocess.run(
        [sys.executable, "-c", code], env={**clean, "DJANGO_SETTINGS_MODULE": "shop.settings.test", **env},
        capture_output=True, text=True, cwd=settings.BASE_DIR,
    )


def test_log_format_json_makes_every_line_a_json_object():
    result = _run_with_settings(
        "import django, logging; django.setup(); logging.getLogger('wumeng.sms').warning('未发送')",
        LOG_FORMAT="json",
    )

    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert (line["logger"], line["message"]) == ("wumeng.sms", "未发送")


def test_it_refuses_an_unknown_log_format():
    result = _run_with_settings("import django; django.setup()", LOG_FORMAT="yaml")

    assert "LOG_FORMAT must be text or json" in result.stderr


# Gunicorn's settings (shop/gunicorn.conf.py) ---------------------------------------------------

GUNICORN_ENV = ("GUNICORN_BIND", "PORT", "GUNICORN_WORKERS", "WEB_CONCURRENCY", "GUNICORN_THREADS", "LOG_FORMAT")


@pytest.fixture
def gunicorn_conf(monkeypatch):
    for name in GUNICORN_ENV:
        monkeypatch.delenv(name, raising=False)

    def load(**env) -> dict:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(settings.BASE_DIR / "shop" / "gunicorn.conf.py"))

    return load


def test_gunicorn_listens_only_locally_unless_told(gunicorn_conf):
    assert gunicorn_conf()["bind"] == ["127.0.0.1:8000"]


def test_gunicorn_listens_on_the_platforms_port(gunicorn_conf):
    assert gunicorn_conf(PORT="5000")["bind"] == ["0.0.0.0:5000"]


def test_gunicorn_bind_wins_over_port(gunicorn_conf):
    assert gunicorn_conf(PORT="5000", GUNICORN_BIND="unix:/run/wumeng.sock")["bind"] == ["unix:/run/wumeng.sock"]


def test_gunicorn_runs_at_most_eight_workers_by_default(monkeypatch, gunicorn_conf):
    monkeypatch.setattr(os, "cpu_count", lambda: 64)

    assert gunicorn_conf()["workers"] == 8


def test_gunicorn_refuses_a_worker_count_that_is_not_a_number(gunicorn_conf):
    with pytest.raises(SystemExit, match="GUNICORN_WORKERS must be a whole number"):
        gunicorn_conf(GUNICORN_WORKERS="many")


def test_gunicorn_logs_json_lines_like_the_site(gunicorn_conf):
    conf = gunicorn_conf(LOG_FORMAT="json")

    assert conf["logconfig_dict"]["formatters"]["json"] == {"()": "shop.logs.JsonFormatter"}
