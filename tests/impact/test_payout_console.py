"""The console's payout pages, for every persona: only the station's own managers prepare, pay,
cancel and download the bank file; the pages show names and accounts masked, the file in full."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from impact.models import EntryKind, LedgerEntry, PayoutBatch, PayoutStatus
from impact.payouts import payout_batch_mark_paid, payout_batch_prepare
from logistics.models import Station
from sellers.masking import mask_digits, mask_name
from tests.impact.money import household_owed, operator, poji_manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(people):
    household_owed("120.00", head_name="杨秀英", bank_account="6217000011112222")
    household_owed("35.50", head_name="王德明", bank_account="6228481234567890")
    with transaction.atomic():
        return payout_batch_prepare(station=Station.objects.get(code="YJ-MIAOBA"), by=people.manager_miaoba)


def pages(batch) -> list[str]:
    return [
        reverse("payouts:list"), reverse("payouts:detail", args=[batch.pk]),
        reverse("payouts:bank-file", args=[batch.pk]),
    ]


def posts(batch) -> list[tuple[str, dict]]:
    return [
        (reverse("payouts:list"), {}),
        (reverse("payouts:paid", args=[batch.pk]), {"bank_reference": "BANK-1"}),
        (reverse("payouts:cancel", args=[batch.pk]), {}),
    ]


def bank_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# Who may open what ------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, batch):
    for url in pages(batch):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("station:login")), url


@pytest.mark.parametrize("persona", ["buyer", "official_yanjin", "official_zhaotong", "clerk_miaoba", "clerk_poji"])
def test_people_who_manage_no_station_are_refused_every_page_and_change(signed_in, people, batch, persona):
    client = signed_in(getattr(people, persona))
    for url in pages(batch):
        assert client.get(url).status_code == 403, url
    for url, data in posts(batch):
        assert client.post(url, data).status_code == 403, url
    assert PayoutBatch.objects.filter(pk=batch.pk, status=PayoutStatus.PREPARED).count() == PayoutBatch.objects.count() == 1


def test_the_stations_manager_opens_every_page(signed_in, people, batch):
    client = signed_in(people.manager_miaoba)
    for url in pages(batch):
        assert client.get(url).status_code == 200, url


def test_another_stations_manager_is_refused_the_batch_and_sees_none_of_it(signed_in, people, batch):
    client = signed_in(poji_manager())
    for url in pages(batch)[1:]:
        assert client.get(url).status_code == 403, url
    for url, data in posts(batch)[1:]:
        assert client.post(url, data).status_code == 403, url
    assert f"#{batch.pk}" not in client.get(reverse("payouts:list")).content.decode()
    assert PayoutBatch.objects.get(pk=batch.pk).status == PayoutStatus.PREPARED


def test_an_unknown_batch_is_not_found(signed_in, people):
    client = signed_in(people.manager_miaoba)
    for name in ("payouts:detail", "payouts:bank-file"):
        assert client.get(reverse(name, args=[999999])).status_code == 404
        assert client.get(reverse(name, args=[2**70])).status_code == 404


def test_the_operator_reads_the_batch_masked_but_may_not_download_or_pay_it(signed_in, people, batch):
    client = signed_in(operator())
    page = client.get(reverse("payouts:detail", args=[batch.pk])).content.decode()
    assert "6217000011112222" not in page and "2222" in page
    assert client.get(reverse("payouts:bank-file", args=[batch.pk])).status_code == 403
    assert client.post(reverse("payouts:paid", args=[batch.pk]), {"bank_reference": "X"}).status_code == 403


def test_the_nav_shows_payouts_to_managers_only(signed_in, people):
    link = reverse("payouts:list")
    assert link in signed_in(people.manager_miaoba).get(reverse("station:home")).content.decode()
    assert link not in signed_in(people.clerk_miaoba).get(reverse("station:home")).content.decode()


# What the pages and the file show -----------------------------------------------------------------


def test_the_batch_page_masks_names_and_accounts(signed_in, people, batch):
    page = signed_in(people.manager_miaoba).get(reverse("payouts:detail", args=[batch.pk])).content.decode()
    assert "杨秀英" not in page and mask_name("杨秀英") in page
    assert "6217000011112222" not in page and mask_digits("6217000011112222") in page
    assert "¥155.50" in page and "¥120.00" in page


def test_the_bank_file_has_names_accounts_and_amounts_in_full(signed_in, people, batch):
    response = signed_in(people.manager_miaoba).get(reverse("payouts:bank-file", args=[batch.pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    assert f'filename="payout-YJ-MIAOBA-{batch.pk}.csv"' in response["Content-Disposition"]
    rows = bank_rows(response)
    registry_ids = {line.bank_account: line.household.registry_id for line in batch.lines.all()}
    assert rows[0] == [_("Payee name"), _("Account"), _("Amount"), _("Reference")]
    assert sorted(rows[1:]) == sorted([
        ["杨秀英", "6217000011112222", "120.00", f"WM{batch.pk}-{registry_ids['6217000011112222']}"],
        ["王德明", "6228481234567890", "35.50", f"WM{batch.pk}-{registry_ids['6228481234567890']}"],
    ])


def test_the_bank_file_keeps_a_name_from_running_as_a_spreadsheet_formula(signed_in, people):
    household_owed("10.00", head_name="=HYPERLINK(1)")
    with transaction.atomic():
        batch = payout_batch_prepare(station=Station.objects.get(code="YJ-MIAOBA"), by=people.manager_miaoba)

    rows = bank_rows(signed_in(people.manager_miaoba).get(reverse("payouts:bank-file", args=[batch.pk])))
    assert rows[1][0] == "'=HYPERLINK(1)"


def test_the_list_says_what_is_waiting_and_who_has_no_bank_account(signed_in, people):
    household_owed("40.00")
    waiting = household_owed("20.00", bank_account="", head_name="李春花")

    page = signed_in(people.manager_miaoba).get(reverse("payouts:list")).content.decode()

    assert escape(ngettext(
        "%(n)s household has money waiting but no bank account. Add it to pay them:",
        "%(n)s households have money waiting but no bank account. Add theirs to pay them:", 1,
    ) % {"n": 1}) in page
    assert waiting.registry_id in page and "李春花" not in page and mask_name("李春花") in page
    assert reverse("station:household-edit", args=[waiting.registry_id]) in page


def test_the_list_in_english(signed_in, people, batch):
    page = signed_in(people.manager_miaoba).get("/en/station/payouts/").content.decode()
    assert "Payouts" in page and "Prepared, not paid yet" in page and "2 households" in page


def test_the_list_page_costs_the_same_few_queries_however_many_batches(
    signed_in, people, batch, django_assert_max_num_queries
):
    client = signed_in(people.manager_miaoba)
    for _batch in range(3):
        household_owed("5.00")
        with transaction.atomic():
            payout_batch_prepare(station=batch.station, by=people.manager_miaoba)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("payouts:list")).status_code == 200


# Changes through the pages ----------------------------------------------------------------------


def test_a_manager_prepares_a_batch_from_the_list(signed_in, people):
    household = household_owed("40.00")

    response = signed_in(people.manager_miaoba).post(reverse("payouts:list"))

    batch = PayoutBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("payouts:detail", args=[batch.pk])
    assert [(line.household, line.amount) for line in batch.lines.all()] == [(household, Decimal("40.00"))]


def test_preparing_with_nothing_to_pay_says_so_and_makes_nothing(signed_in, people):
    response = signed_in(people.manager_miaoba).post(reverse("payouts:list"), follow=True)
    assert escape(_("No household of this township has settled money waiting to be paid.")) in response.content.decode()
    assert not PayoutBatch.objects.exists()


def test_a_manager_marks_the_batch_paid(signed_in, people, batch, django_capture_on_commit_callbacks):
    client = signed_in(people.manager_miaoba)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("payouts:paid", args=[batch.pk]), {"bank_reference": "ICBC-77"})

    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.bank_reference) == (PayoutStatus.PAID, "ICBC-77")
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYOUT).count() == 2
    page = client.get(reverse("payouts:detail", args=[batch.pk])).content.decode()
    assert "ICBC-77" in page and 'name="bank_reference"' not in page


def test_a_second_payment_through_the_page_is_refused_with_a_message(signed_in, people, batch):
    with transaction.atomic():
        payout_batch_mark_paid(batch=batch, by=people.manager_miaoba, bank_reference="ICBC-77")
    client = signed_in(people.manager_miaoba)

    response = client.post(reverse("payouts:paid", args=[batch.pk]), {"bank_reference": "AGAIN"}, follow=True)

    assert escape(_("This batch was marked paid already, on %(day)s (bank reference %(ref)s).") % {
        "day": timezone.localdate().strftime("%Y-%m-%d"), "ref": "ICBC-77"}) in response.content.decode()
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYOUT).count() == 2
    assert PayoutBatch.objects.get(pk=batch.pk).bank_reference == "ICBC-77"


def test_paying_without_a_bank_reference_is_refused(signed_in, people, batch):
    response = signed_in(people.manager_miaoba).post(
        reverse("payouts:paid", args=[batch.pk]), {"bank_reference": ""}, follow=True
    )
    assert response.status_code == 200
    assert PayoutBatch.objects.get(pk=batch.pk).status == PayoutStatus.PREPARED
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYOUT).exists()


def test_a_manager_cancels_a_prepared_batch(signed_in, people, batch):
    response = signed_in(people.manager_miaoba).post(reverse("payouts:cancel", args=[batch.pk]))
    assert response.status_code == 302 and response.url == reverse("payouts:list")
    assert not PayoutBatch.objects.exists()


def test_the_pages_take_only_posts_for_changes(signed_in, people, batch):
    client = signed_in(people.manager_miaoba)
    assert client.get(reverse("payouts:paid", args=[batch.pk])).status_code == 405
    assert client.get(reverse("payouts:cancel", args=[batch.pk])).status_code == 405
