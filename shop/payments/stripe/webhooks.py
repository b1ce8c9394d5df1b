"""The endpoint Stripe posts its events to. Only a delivery signed with our endpoint secret,
within Stripe's tolerance of 300 s, changes anything; the demo (no secret) refuses them all."""

import json
import logging

import stripe
from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .handlers import EventNotReady, MalformedEvent, event_process

logger = logging.getLogger(__name__)


def _refuse(reason: str) -> HttpResponseBadRequest:
    logger.warning("Stripe webhook refused: %s", reason)
    return HttpResponseBadRequest(reason, content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_POST
def stripe_webhook(request):
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        return _refuse("Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET is empty).")
    payload = request.body
    try:
        stripe.WebhookSignature.verify_header(
            payload, request.headers.get("Stripe-Signature", ""), secret, tolerance=stripe.Webhook.DEFAULT_TOLERANCE,
        )
        event = json.loads(payload)
        event_id, event_type, event_object = event["id"], event["type"], event["data"]["object"]
    except stripe.SignatureVerificationError:
        return _refuse("The Stripe-Signature header does not match or is too old.")
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return _refuse("The payload is not a Stripe event.")
    if not (isinstance(event_id, str) and isinstance(event_type, str) and isinstance(event_object, dict)):
        return _refuse("The payload is not a Stripe event.")

    try:
        outcome = event_process(event)
    except MalformedEvent as reason:
        # Signed by Stripe yet not the shape of its events: nothing was stored.
        return _refuse(f"The payload is not a Stripe event: {reason}")
    except EventNotReady as reason:
        # Not stored: Stripe delivers the event again later (for up to three days).
        logger.warning("Stripe event %s (%s) postponed: %s", event_id, event_type, reason)
        return HttpResponse(str(reason), status=409, content_type="text/plain; charset=utf-8")
    return JsonResponse({"id": event_id, "outcome": outcome})
