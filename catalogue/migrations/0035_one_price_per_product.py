"""Each product takes the price its page showed (the cheapest of its stock records, as
`offer_for` computed it), and every stock record of it carries that price; products with a
geographical-indication mark take their origin's county as the mark's area."""

from django.db import migrations


def one_price(apps, schema_editor):
    Product = apps.get_model("catalogue", "Product")
    StockRecord = apps.get_model("partner", "StockRecord")
    for product in Product.objects.filter(price__isnull=True).iterator():
        records = list(StockRecord.objects.filter(product=product, price__isnull=False))
        available = [r for r in records if r.num_in_stock - (r.num_allocated or 0) > 0]
        cheapest = min(available or records, key=lambda r: r.price, default=None)
        if cheapest is None:
            continue
        Product.objects.filter(pk=product.pk).update(price=cheapest.price, price_currency=cheapest.price_currency)
        StockRecord.objects.filter(product=product).update(price=cheapest.price, price_currency=cheapest.price_currency)
    Division = apps.get_model("shop", "Division")
    for product in Product.objects.exclude(gi_mark="").filter(gi_area__isnull=True, origin__level="township"):
        product.gi_area = Division.objects.get(code=product.origin.parent_id)
        product.save(update_fields=["gi_area"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0034_product_price_and_gi_area"),
        ("partner", "0007_partneraddress_code"),
    ]

    operations = [migrations.RunPython(one_price, migrations.RunPython.noop)]
