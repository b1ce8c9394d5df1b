"""A courier aggregator: one contract for several couriers, an ambient and a cold-chain service,
that pushes each parcel's tracking updates to our signed webhook.

`carrier.py` names its services, `signing.py` checks a delivery's signature and age,
`services.py` applies one update to its shipment, `views.py` is the webhook.

The aggregator POSTs one update per request, as JSON:

    {"notice_id": "N-20260615-0001",   # unique per update: a replay of it is refused (409)
     "carrier": "agg-express",          # the service the station handed the parcel to
     "tracking_number": "AGG123456789",
     "status": "in_transit",            # in_transit | delivered | exception
     "location": "昆明转运中心",          # where it happened
     "note": "",                        # what happened (required for an exception)
     "occurred_at": "2026-06-15T10:00:00+08:00"}

with `X-Wumeng-Timestamp` (Unix seconds) and `X-Wumeng-Signature` (hex HMAC-SHA256, keyed by
LOGISTICS_AGGREGATOR_SECRET, of "<timestamp>.<raw body>"). A delivery more than 300 s old or
early is refused, so a captured one cannot be replayed later. Answers: 200 applied; 400 not an
update; 401 unsigned or stale; 404 no shipment of ours has this tracking number; 409 the
shipment cannot make this move, or the notice was applied already; 503 no secret configured.
Every refusal changes nothing."""
