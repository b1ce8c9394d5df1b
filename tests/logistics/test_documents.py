"""Labels and packing slips read back as a machine reads them: the PDF's text, and the QR code
decoded from the printed page."""

from io import BytesIO

import pypdfium2
import pytest
import zxingcpp
from oscar.apps.address.models import Country
from pypdf import PdfReader

from logistics.documents import labels_pdf, packing_slips_pdf
from logistics.models import Shipment
from logistics.selectors import with_shipment_details
from logistics.states import State
from shop.order.models import ShippingAddress
from tests.shipping import moved_to, paid_shipment

pytestmark = pytest.mark.django_db


def addressed(shipment: Shipment) -> Shipment:
    """The shipment, its order sent to a buyer in Beijing (the order factory gives no address)."""
    country, _created = Country.objects.get_or_create(iso_3166_1_a2="CN", defaults={"printable_name": "中国"})
    shipment.order.shipping_address = ShippingAddress.objects.create(
        first_name="小明", last_name="王", line1="朝阳区建国路 88 号", line4="北京", postcode="100022",
        country=country, phone_number="+8613800000000",
    )
    shipment.order.save()
    return shipment


def trace_url(shipment) -> str:
    return f"https://wumeng.example/trace/{shipment.trace_code}/"


def detailed(*shipments) -> list[Shipment]:
    found = with_shipment_details(Shipment.objects.filter(pk__in=[s.pk for s in shipments]))
    return list(found.order_by("id"))


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def test_it_prints_the_order_number_on_the_label(people):
    shipment = detailed(addressed(paid_shipment()))[0]

    pdf = labels_pdf(shipments=[shipment], trace_url=trace_url)

    assert shipment.order.number in text_of(pdf)


def test_it_prints_the_recipient_and_the_sending_station_in_chinese(people):
    shipment = addressed(paid_shipment())

    text = text_of(labels_pdf(shipments=detailed(shipment), trace_url=trace_url))

    assert ("王小明" in text, "朝阳区建国路" in text, "庙坝镇电商服务站" in text) == (True, True, True)


def test_it_prints_a_qr_code_of_the_trace_address(people):
    shipment = addressed(paid_shipment())
    pdf = pypdfium2.PdfDocument(labels_pdf(shipments=detailed(shipment), trace_url=trace_url))

    image = pdf[0].render(scale=4).to_pil()

    assert [code.text for code in zxingcpp.read_barcodes(image)] == [trace_url(shipment)]


def test_it_marks_a_chilled_parcel(people):
    shipment = addressed(paid_shipment(storage="chilled"))

    text = text_of(labels_pdf(shipments=detailed(shipment), trace_url=trace_url))

    assert "冷藏" in text and "CHILLED" in text


def test_it_prints_the_carrier_and_tracking_number_once_dispatched(people):
    shipment = addressed(moved_to(paid_shipment(), State.DISPATCHED))

    text = text_of(labels_pdf(shipments=detailed(shipment), trace_url=trace_url))

    assert "SF1234567890" in text


def test_it_prints_one_a6_page_per_shipment(people):
    shipments = [addressed(paid_shipment()) for _ in range(3)]

    pages = PdfReader(BytesIO(labels_pdf(shipments=detailed(*shipments), trace_url=trace_url))).pages

    assert [(round(page.mediabox.width), round(page.mediabox.height)) for page in pages] == [(298, 420)] * 3


def test_it_lists_the_lines_on_the_packing_slip_with_household_and_intake_weight(people):
    shipment = moved_to(addressed(paid_shipment(title="盐津乌骨鸡")), State.RECEIVED)
    household = shipment.lines.get().order_line.partner.seller.household

    text = text_of(packing_slips_pdf(shipments=detailed(shipment)))

    assert ("盐津乌骨鸡" in text, household.registry_id in text, "1.800" in text) == (True, True, True)


def test_it_prints_one_packing_slip_per_shipment(people):
    shipments = detailed(paid_shipment(), paid_shipment())

    reader = PdfReader(BytesIO(packing_slips_pdf(shipments=shipments)))

    numbers = [shipment.order.number for shipment in shipments]
    assert [number in page.extract_text() for number, page in zip(numbers, reader.pages, strict=True)] == [True, True]


def test_it_embeds_the_chinese_font_so_the_label_prints_anywhere(people):
    pdf = labels_pdf(shipments=detailed(addressed(paid_shipment())), trace_url=trace_url)

    fonts = PdfReader(BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values()
    descriptors = [font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"] for font in fonts
                   if "/DescendantFonts" in font.get_object()]
    descriptors += [font.get_object()["/FontDescriptor"] for font in fonts if "/FontDescriptor" in font.get_object()]
    assert any("/FontFile2" in d.get_object() for d in descriptors)
