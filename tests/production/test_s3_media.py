"""Media on S3-compatible storage (django-storages and boto3) with production's settings, against
a real local S3 (moto_server): a station's photo lands in the bucket, the product page and
sorl-thumbnail's basket thumbnails are served from it, and sorl notes its thumbnails where every
app server finds them (the database, read through Redis)."""

import io
import re

import pytest
import requests
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from PIL import Image
from sorl.thumbnail import get_thumbnail

from catalogue.models import Category, Product
from catalogue.services import categories_ensure
from tests.photos import jpeg_with_gps
from tests.production.outside import BUCKET, bucket_keys, run_keys

pytestmark = [pytest.mark.production, pytest.mark.django_db]


@pytest.fixture
def listed(s3_media, signed_in, people):
    """Eggs listed by the Miaoba clerk through the console, with a photo from her phone."""
    categories_ensure()
    signed_in(people.clerk_miaoba).post(
        reverse("station:listing-create", args=[people.household_miaoba.registry_id]),
        {"product": "", "title": "庙坝土鸡蛋", "category": Category.objects.get(slug="poultry-eggs").pk,
         "unit": "盒(30 枚)", "description": "散养土鸡蛋", "price": "45.00", "stock": "20",
         "photo": jpeg_with_gps()},
    )
    return Product.objects.get(title="庙坝土鸡蛋")


def image_sources(page) -> list[str]:
    return re.findall(r'<img[^>]* src="([^"]+)"', page.content.decode())


def fetched_image(url: str) -> Image.Image:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, url
    image = Image.open(io.BytesIO(response.content))
    image.load()
    return image


def basket_thumbnail(product) -> str:
    """The thumbnail a buyer's basket shows for `product` (Oscar's basket, drawn by sorl)."""
    buyer = Client()
    buyer.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    thumbnails = [src for src in image_sources(buyer.get(reverse("basket:summary"))) if "/cache/" in src]
    assert thumbnails, "the basket shows no thumbnail"
    return thumbnails[0]


def test_a_stations_photo_is_stored_in_the_bucket(listed, s3_media):
    image = listed.images.get()
    keys = bucket_keys(s3_media)
    assert {image.original.name, image.card.name, image.large.name} <= keys
    assert all(name.startswith("images/products/") for name in (image.original.name, image.large.name))


def test_the_product_page_shows_the_photo_from_the_bucket(listed, s3_media, client):
    photos = [src for src in image_sources(client.get(listed.get_absolute_url())) if "/images/products/" in src]
    assert photos and photos[0].startswith(f"{s3_media}/{BUCKET}/images/products/large/")
    assert fetched_image(photos[0]).format == "WEBP"


def test_sorl_writes_the_basket_thumbnail_into_the_bucket(listed, s3_media):
    thumbnail = basket_thumbnail(listed)
    assert thumbnail.startswith(f"{s3_media}/{BUCKET}/cache/")
    assert thumbnail.removeprefix(f"{s3_media}/{BUCKET}/") in bucket_keys(s3_media)
    assert fetched_image(thumbnail).size[0] <= 100


def test_another_app_server_finds_the_thumbnail_through_redis(listed, s3_media, redis_cache,
                                                              django_assert_num_queries):
    thumbnail = basket_thumbnail(listed)
    stored = bucket_keys(s3_media)
    assert run_keys(redis_cache, "sorl-thumbnail||image||*"), "sorl noted nothing in Redis"
    caches.close_all()  # nothing of this process's connection is kept
    original = listed.images.get().original
    with django_assert_num_queries(0):  # read from Redis: neither the database nor the bucket
        again = get_thumbnail(original, "100x100", upscale=False)
    assert again.url == thumbnail
    assert bucket_keys(s3_media) == stored  # not made a second time
