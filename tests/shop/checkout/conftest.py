import pytest

from catalogue.factories import ProductFactory


@pytest.fixture
def pooled(stations):
    return ProductFactory(title="盐津乌骨鸡")
