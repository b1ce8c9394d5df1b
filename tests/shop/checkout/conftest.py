import pytest
from django.urls import reverse

from catalogue.factories import ProductFactory
from shop.factories import UserFactory
from tests.shopping import offer


@pytest.fixture
def pooled(stations):
    return ProductFactory(title="盐津乌骨鸡")


@pytest.fixture
def buyer_with_basket(client, pooled):
    """A signed-in buyer's client with one unit of `pooled` (in stock) in the basket."""
    offer(pooled, stock=5)
    client.force_login(UserFactory(username="buyer"))
    client.post(reverse("basket:add", kwargs={"pk": pooled.pk}), {"quantity": 1})
    return client
