"""Bugs found by attacking the impact pages on a demo server, each pinned by a test."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from impact.models import LineKind, PovertyLine
from shop.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_POVERTY_LINE = reverse("impact-dashboard:poverty-line-create")


@pytest.fixture
def operator(signed_in, people):
    return signed_in(UserFactory(username="operator", is_staff=True, is_superuser=True))


def poverty_line_form(**fields) -> dict:
    return {"year": "2025", "region_code": "53", "kind": LineKind.MONITORING, "amount": "7800.00", "note": "", **fields}


# A region code typed in full-width digits (a Chinese input method's) was stored as typed: the
# lines' prefix match never found it, so the line silently applied nowhere.


def test_a_region_code_in_full_width_digits_is_stored_in_ascii(operator):
    response = operator.post(NEW_POVERTY_LINE, poverty_line_form(region_code="５３０６００"))
    assert response.status_code == 302
    assert PovertyLine.objects.filter(region_code="5306", year=2025).exists()


@pytest.mark.parametrize("code", ["²³", "٥٣", "５３x"])
def test_a_region_code_in_other_digits_is_a_form_error(operator, code):
    response = operator.post(NEW_POVERTY_LINE, poverty_line_form(region_code=code))
    assert response.status_code == 200 and "region_code" in response.context["form"].errors
    assert not PovertyLine.objects.filter(year=2025).exists()


def test_the_model_refuses_a_region_code_in_other_digits():
    line = PovertyLine(year=2025, region_code="５３", kind=LineKind.MONITORING, amount=Decimal("7800.00"))
    with pytest.raises(ValidationError) as refused:
        line.full_clean()
    assert "region_code" in refused.value.message_dict
