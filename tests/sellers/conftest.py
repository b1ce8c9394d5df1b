import pytest

from shop.models import Division
from tests.personas import MIAOBA, POJI


@pytest.fixture
def townships(divisions):
    """Miaoba (Yanjin) and Poji (Zhenxiong), for registry files."""
    return list(Division.objects.filter(code__in=[MIAOBA, POJI]))
