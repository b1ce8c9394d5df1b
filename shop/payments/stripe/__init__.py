"""Stripe: PaymentIntents for card, Alipay and WeChat Pay in CNY, refunds, and signed webhooks.

`client.py` configures the official SDK, `services.py` talks to Stripe and records money on
Oscar's payment models, `webhooks.py` verifies deliveries, `handlers.py` turns events into
order changes."""
