"""Labels and packing slips in the console: a station prints those of its own shipments only."""

from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.personas import POJI
from tests.shipping import paid_shipment

pytestmark = pytest.mark.django_db


def label_url(shipment) -> str:
    return reverse("station:shipment-label", args=[shipment.pk])


def test_it_sends_anonymous_visitors_to_sign_in(client, people):
    response = client.get(label_url(paid_shipment()))

    assert response.status_code == 302 and response.url.startswith(reverse("station:login"))


def test_it_refuses_a_poji_clerk_the_label_of_a_miaoba_shipment(signed_in, people):
    response = signed_in(people.clerk_poji).get(label_url(paid_shipment()))

    assert response.status_code == 403


def test_it_refuses_a_buyer_the_label_of_their_own_parcel(signed_in, people):
    response = signed_in(people.buyer).get(label_url(paid_shipment(user=people.buyer)))

    assert response.status_code == 403


def test_it_answers_an_unknown_shipment_with_404(signed_in, people):
    response = signed_in(people.clerk_miaoba).get(reverse("station:shipment-label", args=[999999]))

    assert response.status_code == 404


def test_it_gives_a_miaoba_clerk_the_label_as_a_pdf(signed_in, people):
    response = signed_in(people.clerk_miaoba).get(label_url(paid_shipment()))

    assert (response.status_code, response["Content-Type"], response.content[:5]) == (200, "application/pdf", b"%PDF-")


def test_it_gives_a_miaoba_clerk_the_packing_slip_as_a_pdf(signed_in, people):
    shipment = paid_shipment()

    response = signed_in(people.clerk_miaoba).get(reverse("station:shipment-slip", args=[shipment.pk]))

    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")


def test_it_refuses_a_poji_clerk_the_packing_slip_of_a_miaoba_shipment(signed_in, people):
    shipment = paid_shipment()

    response = signed_in(people.clerk_poji).get(reverse("station:shipment-slip", args=[shipment.pk]))

    assert response.status_code == 403


def test_it_prints_the_labels_of_several_shipments_in_one_pdf(signed_in, people):
    ids = [paid_shipment().pk for _ in range(3)]

    response = signed_in(people.clerk_miaoba).get(reverse("station:labels"), {"ids": ids})

    assert len(PdfReader(BytesIO(response.content)).pages) == 3


def test_it_refuses_the_whole_batch_when_one_shipment_is_another_stations(signed_in, people):
    ids = [paid_shipment().pk, paid_shipment(township=POJI).pk]

    response = signed_in(people.clerk_miaoba).get(reverse("station:labels"), {"ids": ids})

    assert response.status_code == 403


@pytest.mark.parametrize("ids", [[], ["x"], list(range(1, 202))])
def test_it_refuses_a_batch_with_no_ids_bad_ids_or_too_many(signed_in, people, ids):
    response = signed_in(people.clerk_miaoba).get(reverse("station:labels"), {"ids": ids})

    assert response.status_code == 400


def test_it_answers_404_for_label_ids_no_row_can_have(signed_in, people):
    response = signed_in(people.clerk_miaoba).get("/station/shipments/labels.pdf?ids=99999999999999999999")

    assert response.status_code == 404
