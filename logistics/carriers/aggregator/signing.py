"""The signature of the aggregator's deliveries: HMAC-SHA256 over "<timestamp>.<raw body>",
keyed by LOGISTICS_AGGREGATOR_SECRET, in the hex of `X-Wumeng-Signature`, with the Unix time
of sending in `X-Wumeng-Timestamp`."""

import hashlib
import hmac
import re
import time

TIMESTAMP_HEADER = "X-Wumeng-Timestamp"
SIGNATURE_HEADER = "X-Wumeng-Signature"
# How far a delivery's timestamp may be from our clock, either way: older ones may be replays.
TOLERANCE_SECONDS = 300

TIMESTAMP = re.compile(r"[0-9]{1,12}")


class BadSignature(Exception):
    """The delivery is not signed with our secret, or was signed too long ago (or ahead)."""


def signature(*, secret: str, timestamp: str, body: bytes) -> str:
    signed = timestamp.encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def signature_verify(*, secret: str, timestamp: str, given: str, body: bytes, now: float | None = None) -> None:
    """Raise BadSignature unless `given` signs `body` at `timestamp`, within the tolerance."""
    if not timestamp or not given:
        raise BadSignature(f"The {TIMESTAMP_HEADER} or {SIGNATURE_HEADER} header is missing.")
    # Plain ASCII digits only: int() would also take " 12", "+12", "1_2" or other scripts' digits.
    if not TIMESTAMP.fullmatch(timestamp):
        raise BadSignature(f"The {TIMESTAMP_HEADER} header is not a Unix time.")
    if abs((time.time() if now is None else now) - int(timestamp)) > TOLERANCE_SECONDS:
        raise BadSignature(f"The {TIMESTAMP_HEADER} header is more than {TOLERANCE_SECONDS} s from our clock.")
    expected = signature(secret=secret, timestamp=timestamp, body=body)
    # Bytes, not str: compare_digest refuses str with characters outside ASCII, which a header may carry.
    if not hmac.compare_digest(expected.encode("ascii"), given.strip().lower().encode("utf-8", "replace")):
        raise BadSignature(f"The {SIGNATURE_HEADER} header does not match the body.")
