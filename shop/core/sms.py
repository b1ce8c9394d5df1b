"""Text messages to farmers' phones, through a backend chosen by settings, as Django sends e-mail.

`send_sms(to, text)` sends through `settings.SMS_BACKEND` (a dotted path):
- `ConsoleBackend` (development and demo): writes each message to stdout and the `wumeng.sms` logger;
- `LocmemBackend` (tests): appends `(to, text)` to `shop.core.sms.outbox`;
- `HttpBackend`: the SMS provider, reached by one JSON POST (`SMS_HTTP_URL`, `SMS_HTTP_TOKEN`,
  `SMS_SIGN_NAME`); whatever goes wrong there becomes an `SmsError`, here and nowhere else.

Only mainland mobile numbers receive messages: anything else is skipped and logged, never sent."""

import json
import logging
import re
import sys
import urllib.error
import urllib.request
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from shop.core.errors import DomainError

logger = logging.getLogger("wumeng.sms")

# 11 digits, starting 13–19: the mobile ranges of mainland China. Registry phones are often
# typed with spaces or dashes, or with the country code in front.
MOBILE = re.compile(r"1[3-9]\d{9}")
COUNTRY_CODE = re.compile(r"^(?:\+|00)?86(?=1\d{10}$)")
TIMEOUT_SECONDS = 5

# What LocmemBackend "sent": a list of (to, text), emptied by the tests.
outbox: list[tuple[str, str]] = []


class SmsError(DomainError):
    """The SMS provider could not be reached or refused the message: it was not sent."""

    code = "sms_failed"
    status = 502


def mainland_mobile(phone: str) -> str | None:
    """The phone as the 11 digits of a mainland mobile number, or None if it is not one."""
    digits = COUNTRY_CODE.sub("", re.sub(r"[\s()-]", "", phone or ""))
    return digits if MOBILE.fullmatch(digits) else None


def masked(phone: str) -> str:
    """A phone number fit for the logs: the last four digits only."""
    return f"***{phone[-4:]}" if len(phone) > 4 else "***"


def send_sms(to: str, text: str) -> None:
    """Send `text` to the mobile number `to` through the configured backend; a number that is not
    a mainland mobile is skipped (and logged). Raises SmsError when the provider fails."""
    number = mainland_mobile(to)
    if number is None:
        logger.warning("SMS not sent: %s is not a mainland mobile number.", masked(to or ""))
        return
    backend_get().send(number, text)


def backend_get():
    try:
        backend = import_string(settings.SMS_BACKEND)
    except ImportError as error:
        raise ImproperlyConfigured(f"SMS_BACKEND {settings.SMS_BACKEND!r} cannot be imported: {error}") from error
    return backend()


class ConsoleBackend:
    """Development and demo: the message is shown, not sent."""

    def send(self, to: str, text: str) -> None:
        logger.info("SMS to %s: %s", to, text)
        sys.stdout.write(f"SMS to {to}: {text}\n")
        sys.stdout.flush()


class LocmemBackend:
    """Tests: the message is kept in `outbox`."""

    def send(self, to: str, text: str) -> None:
        outbox.append((to, text))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would carry the bearer token to another address: refuse it (it becomes an error).
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class HttpBackend:
    """The SMS provider: POST {"to", "text", "sign"} as JSON with a bearer token; 2xx means sent."""

    def __init__(self):
        self.url = settings.SMS_HTTP_URL
        self.token = settings.SMS_HTTP_TOKEN
        self.sign = settings.SMS_SIGN_NAME
        if not self.url.startswith(("https://", "http://")) or not self.token:
            raise ImproperlyConfigured("SMS_HTTP_URL (http or https) and SMS_HTTP_TOKEN must be set to send SMS.")
        self.opener = urllib.request.build_opener(_NoRedirects)

    def send(self, to: str, text: str) -> None:
        body = json.dumps({"to": to, "text": text, "sign": self.sign}, ensure_ascii=False).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
            },
        )
        with provider_errors():
            with self.opener.open(request, timeout=TIMEOUT_SECONDS) as response:
                status = response.status
        if not 200 <= status < 300:  # urllib raises for 4xx and 5xx; this catches the odd 1xx/3xx
            raise SmsError(f"The SMS provider answered HTTP {status}: the message was not sent.")
        logger.info("SMS sent to %s.", masked(to))


@contextmanager
def provider_errors():
    """The provider's failures, in one place, as SmsError (never with the token in the message)."""
    try:
        yield
    except urllib.error.HTTPError as error:
        detail = error.read(200).decode("utf-8", "replace").strip()
        raise SmsError(
            f"The SMS provider answered HTTP {error.code}: the message was not sent. {detail}".strip()
        ) from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise SmsError(f"The SMS provider cannot be reached ({reason}): the message was not sent.") from error
