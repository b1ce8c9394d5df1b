import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from catalogue.factories import ProductFactory
from catalogue.images import MAX_UPLOAD_BYTES
from catalogue.models import Category, Product
from catalogue.services import categories_ensure
from sellers.partner.models import StockRecord
from tests.photos import jpeg_with_gps

pytestmark = pytest.mark.django_db


def _new_product(**overrides):
    categories_ensure()
    data = {
        "product": "", "title": "庙坝土鸡蛋", "category": Category.objects.get(slug="poultry-eggs").pk,
        "unit": "盒(30 枚)", "description": "散养土鸡蛋", "price": "45.00", "stock": "20",
    }
    data.update(overrides)
    return data


def _list(client, household, data):
    return client.post(reverse("station:listing-create", args=[household.registry_id]), data)


def test_a_listed_product_appears_in_the_shop_with_the_household_as_seller(signed_in, people, client):
    household = people.household_miaoba
    _list(signed_in(people.clerk_miaoba), household, _new_product(photo=jpeg_with_gps()))
    product = Product.objects.get(title="庙坝土鸡蛋")
    assert product.origin_id == household.township_id
    client.logout()
    page = client.get(product.get_absolute_url()).content.decode()
    assert "¥45.00" in page and household.head_name[0] + "*" in page


def test_a_photo_is_stored_without_its_gps_location(signed_in, people):
    _list(signed_in(people.clerk_miaoba), people.household_miaoba, _new_product(photo=jpeg_with_gps()))
    image = Product.objects.get(title="庙坝土鸡蛋").images.get()
    for stored in (image.original, image.card, image.large):
        with Image.open(stored.path) as opened:
            exif = opened.getexif()
            assert 0x8825 not in exif and not exif.get_ifd(0x8825), stored.name
            assert "FarmPhone" not in str(dict(exif))


def test_a_photo_is_resized_and_given_webp_renditions(signed_in, people):
    _list(signed_in(people.clerk_miaoba), people.household_miaoba, _new_product(photo=jpeg_with_gps()))
    image = Product.objects.get(title="庙坝土鸡蛋").images.get()
    with Image.open(image.card.path) as card:
        assert card.format == "WEBP" and max(card.size) == 480


def test_a_file_that_is_not_a_photo_is_refused_with_a_clear_message(signed_in, people):
    text = SimpleUploadedFile("notes.jpg", b"not really a picture", content_type="image/jpeg")
    response = _list(signed_in(people.clerk_miaoba), people.household_miaoba, _new_product(photo=text))
    assert "JPEG" in response.content.decode()
    assert not Product.objects.filter(title="庙坝土鸡蛋").exists()


def test_an_oversize_photo_is_refused(signed_in, people):
    huge = SimpleUploadedFile("big.jpg", b"\xff" * (MAX_UPLOAD_BYTES + 1), content_type="image/jpeg")
    response = _list(signed_in(people.clerk_miaoba), people.household_miaoba, _new_product(photo=huge))
    assert response.status_code == 200
    assert not Product.objects.filter(title="庙坝土鸡蛋").exists()


def test_stock_can_be_added_to_a_pooled_product_already_on_sale(signed_in, people):
    product = ProductFactory()
    data = {"product": product.pk, "price": "60.00", "stock": "8"}
    _list(signed_in(people.clerk_miaoba), people.household_miaoba, data)
    record = StockRecord.objects.get(product=product)
    assert record.partner.seller.household == people.household_miaoba and record.num_in_stock == 8


def test_a_new_product_needs_a_title_category_and_unit(signed_in, people):
    response = _list(signed_in(people.clerk_miaoba), people.household_miaoba, _new_product(title="", unit=""))
    assert response.status_code == 200
    assert StockRecord.objects.count() == 0


def test_a_household_that_did_not_consent_cannot_sell(signed_in, people):
    household = people.household_miaoba
    household.consent_to_sell = False
    household.save()
    _list(signed_in(people.clerk_miaoba), household, _new_product())
    assert not Product.objects.filter(title="庙坝土鸡蛋").exists()


def test_a_clerk_changes_price_and_stock(signed_in, people):
    client = signed_in(people.clerk_miaoba)
    _list(client, people.household_miaoba, _new_product())
    record = StockRecord.objects.get()
    client.post(reverse("station:listing-edit", args=[record.pk]), {"price": "48.50", "stock": "3"})
    record.refresh_from_db()
    assert (str(record.price), record.num_in_stock) == ("48.50", 3)


def test_negative_stock_is_refused(signed_in, people):
    client = signed_in(people.clerk_miaoba)
    _list(client, people.household_miaoba, _new_product())
    record = StockRecord.objects.get()
    client.post(reverse("station:listing-edit", args=[record.pk]), {"price": "48.50", "stock": "-1"})
    record.refresh_from_db()
    assert record.num_in_stock == 20


def test_console_pages_are_light(signed_in, people):
    from django.contrib.staticfiles import finders

    css = len(open(finders.find("css/console.css"), "rb").read())
    client = signed_in(people.manager_miaoba)
    for url in [reverse("station:home"), reverse("station:household-create"),
                reverse("station:listing-create", args=[people.household_miaoba.registry_id])]:
        assert len(client.get(url).content) + css < 100 * 1024, url
