"""The webhook the aggregator posts its tracking updates to. Only a delivery signed with our
secret, within 300 s of our clock, changes anything; with no secret set, every delivery is
refused (503) so the aggregator keeps them and retries once we are configured.

Refusals have the API's error body, {"error": {"code", "message", "fields"}}."""

import json
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from shop.core.errors import DomainError

from .services import tracking_update_apply, tracking_update_parse
from .signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, BadSignature, signature_verify

logger = logging.getLogger(__name__)


def _refusal(*, status: int, code: str, message: str, fields: dict | None = None) -> JsonResponse:
    logger.warning("Aggregator webhook refused (%s %s): %s %s", status, code, message, fields or "")
    return JsonResponse(
        {"error": {"code": code, "message": message, "fields": fields or {}}},
        status=status, json_dumps_params={"ensure_ascii": False},
    )


@csrf_exempt
@require_POST
def webhook(request):
    secret = settings.LOGISTICS_AGGREGATOR_SECRET
    if not secret:
        return _refusal(
            status=503, code="not_configured",
            message=_("Tracking updates are not accepted: LOGISTICS_AGGREGATOR_SECRET is not set."),
        )
    try:
        body = request.body
    except RequestDataTooBig:
        return _refusal(status=413, code="too_large", message=_("The request body is too large."))
    try:
        signature_verify(
            secret=secret, timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
            given=request.headers.get(SIGNATURE_HEADER, ""), body=body,
        )
    except BadSignature as reason:
        return _refusal(status=401, code="bad_signature", message=str(reason))
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return _refusal(status=400, code="invalid", message=_("The body is not JSON."))
    try:
        update = tracking_update_parse(payload)
        moved = tracking_update_apply(update=update)
    except DomainError as error:
        return _refusal(status=error.status, code=error.code, message=error.message, fields=error.fields)
    return JsonResponse({"notice_id": update.notice_id, "status": moved.shipment.status})
