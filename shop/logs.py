"""Log lines for machines: one JSON object a line (`LOG_FORMAT=json`), for the log collector of
several app servers and workers, where a multi-line traceback in plain text would be cut into
unrelated lines. Kept to the standard library: a dozen lines need no dependency."""

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    """time (ISO 8601, UTC), level, logger, message; request_id when the record knows one;
    exc_info and stack_info as strings, so a traceback stays inside its own line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = record_request_id(record)
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        # default=str: a stray object in the message arguments must not lose the whole line.
        return json.dumps(entry, ensure_ascii=False, default=str)


def record_request_id(record: logging.LogRecord) -> str:
    """The id a caller set (`extra={"request_id": ...}`), else the one the load balancer put in
    `X-Request-ID`: of the request Django attaches to its own records (django.request), or of
    the request a gunicorn access line describes (its arguments are the request's fields)."""
    request_id = getattr(record, "request_id", "")
    if not request_id and isinstance(record.args, Mapping):
        request_id = record.args.get("{x-request-id}i", "-")
        request_id = "" if request_id == "-" else request_id
    if not request_id:
        headers = getattr(getattr(record, "request", None), "headers", None)
        request_id = headers.get("X-Request-ID", "") if headers is not None else ""
    # The header comes from outside: bounded, so a client cannot bloat every line.
    return str(request_id)[:200]
