import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sellers.models import Household
from sellers.registry_csv import synthetic_registry_csv
from shop.models import Division

pytestmark = pytest.mark.django_db


def _upload(client, text, **extra):
    return client.post(reverse("station:import"), {"file": SimpleUploadedFile("r.csv", text.encode()), **extra})


def test_a_manager_imports_their_townships_households(client, people):
    client.force_login(people.manager_miaoba)
    before = Household.objects.count()
    text = synthetic_registry_csv(townships=[Division.objects.get(code="530623105")], rows=3)
    assert _upload(client, text).status_code == 302
    assert Household.objects.count() == before + 3


def test_rows_of_another_township_are_refused_by_line(client, people):
    client.force_login(people.manager_miaoba)
    before = Household.objects.count()
    text = synthetic_registry_csv(townships=[Division.objects.get(code="530627102")], rows=2)
    page = _upload(client, text).content.decode()
    assert "第 2 行" in page and "第 3 行" in page and Household.objects.count() == before


def test_a_clerk_who_is_not_a_manager_cannot_import(client, people):
    client.force_login(people.clerk_miaoba)
    assert client.get(reverse("station:import")).status_code == 403
