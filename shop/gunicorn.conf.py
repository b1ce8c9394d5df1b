"""Gunicorn for the app servers: `gunicorn -c shop/gunicorn.conf.py shop.wsgi`.

Every value can be changed from the environment, like the settings. Several of these servers run
behind a load balancer, which probes `/healthz` and `/readyz` (shop/health.py).
"""

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {value!r}.") from None
    if number < 0:
        raise SystemExit(f"{name} must not be negative, not {value!r}.")
    return number


# GUNICORN_BIND wins; else PORT (set by most container platforms) on every interface; else local.
if os.environ.get("GUNICORN_BIND"):
    bind = os.environ["GUNICORN_BIND"].split(",")
elif os.environ.get("PORT"):
    bind = [f"0.0.0.0:{_int('PORT', 8000)}"]
else:
    bind = ["127.0.0.1:8000"]

# The usual 2 × cores + 1, capped: each worker holds Django, Oscar and Wagtail in memory
# (~150 MB), and a big host's cores are better spent on more servers behind the balancer.
workers = _int("GUNICORN_WORKERS", _int("WEB_CONCURRENCY", min(2 * (os.cpu_count() or 1) + 1, 8)))
# Threads let a worker answer the probes while another request waits on the database or Stripe.
threads = _int("GUNICORN_THREADS", 2)
worker_class = "gthread" if threads > 1 else "sync"

timeout = _int("GUNICORN_TIMEOUT", 30)
# On deploy (SIGTERM) a worker finishes its requests for this long before it is killed.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Longer than the balancer's idle timeout would be better; the balancer's is usually 60 s.
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then (slow leaks in long-lived processes), not all at the same moment.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", max_requests // 10)

# Requests to stdout, errors to stderr: the platform collects both.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
if os.environ.get("LOG_FORMAT") == "json":
    # Gunicorn's own lines in the same one-object-a-line format as the site's (shop/logs.py).
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "shop.logs.JsonFormatter"}},
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
            "stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        },
        # Until Django configures its own logging in the workers (settings LOGGING).
        "root": {"handlers": ["stderr"], "level": "WARNING"},
        "loggers": {
            "gunicorn.error": {"handlers": ["stderr"], "level": loglevel.upper(), "propagate": False},
            "gunicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        },
    }

# Workers' heartbeat files on a RAM disk: on a container's overlay disk a slow write can get a
# healthy worker killed as stuck.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# Whose X-Forwarded-Proto to believe (SECURE_PROXY_SSL_HEADER relies on it): the balancer's
# addresses. Gunicorn's default trusts only this host.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Gunicorn's control socket (`gunicornc`) only when asked for, at a path of its own: by default
# every server on a host would share $HOME/.gunicorn/gunicorn.ctl, and the platform, not a
# shell on the host, starts, scales and stops these processes.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
