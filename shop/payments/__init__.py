"""Payment providers, one folder each (as healthchecks' integrations): `stripe/` for cards,
Alipay and WeChat Pay. Payment truth comes from the provider's signed webhooks."""
