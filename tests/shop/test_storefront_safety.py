"""The storefront does not take reviews from strangers, and signs nobody out on a GET."""

import pytest
from django.urls import reverse
from oscar.apps.catalogue.reviews.models import ProductReview

from catalogue.factories import ProductFactory
from shop.factories import UserFactory

pytestmark = pytest.mark.django_db

REVIEW = {"title": "好吃", "score": "5", "body": "鸡汤很香。", "name": "路人", "email": "someone@example.com"}


def _review_url(product) -> str:
    return reverse("catalogue:reviews-add", kwargs={"product_slug": product.slug, "product_pk": product.pk})


# --- reviews ------------------------------------------------------------------------------------


def test_an_anonymous_review_is_not_created(client):
    product = ProductFactory()
    client.post(_review_url(product), REVIEW)
    assert not ProductReview.objects.exists()


def test_a_signed_in_buyers_review_waits_for_moderation(client):
    product = ProductFactory()
    client.force_login(UserFactory(username="buyer"))
    response = client.post(_review_url(product), REVIEW)
    assert response.status_code == 302
    review = ProductReview.objects.get()
    assert review.status == ProductReview.FOR_MODERATION
    assert not product.reviews.approved().exists()


# --- signing out --------------------------------------------------------------------------------


@pytest.fixture
def buyer(client):
    client.force_login(UserFactory(username="buyer"))
    return client


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_get_of_the_sign_out_address_leaves_the_buyer_signed_in(buyer):
    response = buyer.get(reverse("customer:logout"))
    assert response.status_code in (200, 405)
    assert _signed_in(buyer)


def test_the_sign_out_page_asks_for_a_post(buyer):
    page = buyer.get(reverse("customer:logout")).content.decode()
    assert 'method="post"' in page and f'action="{reverse("customer:logout")}"' in page


def test_a_post_signs_the_buyer_out(buyer):
    response = buyer.post(reverse("customer:logout"))
    assert response.status_code == 302
    assert not _signed_in(buyer)


def test_a_post_from_another_site_signs_nobody_out(client):
    from django.test import Client

    csrf_checked = Client(enforce_csrf_checks=True)
    csrf_checked.force_login(UserFactory(username="buyer"))
    assert csrf_checked.post(reverse("customer:logout")).status_code == 403
    assert _signed_in(csrf_checked)


def test_the_header_signs_out_with_a_post_form(buyer, home_page):
    page = buyer.get(reverse("basket:summary")).content.decode()
    form = f'<form class="sign-out" method="post" action="{reverse("customer:logout")}">'
    assert form in page and "csrfmiddlewaretoken" in page.split(form)[1].split("</form>")[0]
    assert f'href="{reverse("customer:logout")}"' not in page
