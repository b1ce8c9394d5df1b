"""The station's paper: a label on every parcel (A6) and a packing slip in it (A4), as PDF.

Chinese is set in the TrueType font of `LABEL_FONT_FILE` (WenQuanYi Micro Hei from Debian's
packages by default), embedded as a subset so that a label prints the same on any computer. Without
that file, ReportLab's built-in CID font STSong-Light is named instead, whose glyphs the PDF reader
must bring (a reader without a Chinese font then prints blanks). Printed words are in Chinese and
English side by side (couriers read the one, foreign buyers the other), whatever the language of
the page that asked for them."""

import re
from collections.abc import Callable, Iterable
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from logistics.carriers import carrier_get
from logistics.models import Shipment, Storage, supplier_household


def _cjk_font() -> str:
    path = Path(settings.LABEL_FONT_FILE) if settings.LABEL_FONT_FILE else None
    if path and path.is_file():
        pdfmetrics.registerFont(TTFont("LabelCJK", path, subfontIndex=0))
        return "LabelCJK"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


CJK = _cjk_font()
LATIN_BOLD = "Helvetica-Bold"  # order and tracking numbers: Latin letters and digits only

COLD_MARKS = {Storage.CHILLED: "冷藏 CHILLED 0-4 °C", Storage.FROZEN: "冷冻 FROZEN -18 °C"}
HAN = re.compile(r"[\u4e00-\u9fff]")


def _style(size: float, **options) -> ParagraphStyle:
    # wordWrap="CJK" breaks lines between any two characters: Chinese has no spaces to break at.
    return ParagraphStyle(f"cjk{size}", fontName=CJK, fontSize=size, leading=size * 1.3, wordWrap="CJK", **options)


def _text(*lines: str) -> str:
    return "<br/>".join(escape(line) for line in lines if line)


def _items(shipment: Shipment) -> int:
    """Pieces in the parcel: goods that failed the quality check stay at the station."""
    return sum(line.order_line.quantity for line in shipment.lines.all() if not line.qc_failed)


# Labels ------------------------------------------------------------------------------------------

LABEL_WIDTH, LABEL_HEIGHT = A6
MARGIN = 6 * mm
QR_SIZE = 36 * mm


def labels_pdf(*, shipments: Iterable[Shipment], trace_url: Callable[[Shipment], str]) -> bytes:
    """One A6 label (105 × 148 mm) per shipment; `trace_url(shipment)` is the absolute address of
    its public trace page, printed as a QR code."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A6)
    canvas.setTitle("Labels")
    for shipment in shipments:
        _label(canvas, shipment, trace_url(shipment))
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _label(canvas: Canvas, shipment: Shipment, url: str) -> None:
    station, right = shipment.station, LABEL_WIDTH - MARGIN
    y = LABEL_HEIGHT - MARGIN - 8
    canvas.setFont(CJK, 8)
    canvas.drawString(MARGIN, y, "乌蒙优选 Wumeng Market")
    canvas.drawRightString(right, y, "订单号 Order")
    y = _fitted(canvas, shipment.order.number, y - 26, size=26)
    if shipment.needs_cold_chain:
        y = _cold_band(canvas, COLD_MARKS[shipment.storage], y - 3)
    y = _block(canvas, "收件人 To", _recipient(shipment.order.shipping_address), y - 4, size=11)
    _block(canvas, "寄件人 From", _text(station.name, station.address, station.phone), y - 3, size=8)

    qr_x, qr_y = right - QR_SIZE, MARGIN + 5 * mm
    _qr(canvas, url, qr_x, qr_y)
    carrier = carrier_get(shipment.carrier)
    tracking = f"<font name='{LATIN_BOLD}' size='12'>{escape(shipment.tracking_number)}</font>"
    details = "<br/>".join(filter(None, [
        _text(str(carrier.name) if carrier else shipment.carrier), shipment.tracking_number and tracking,
        _text(f"件数 Items: {_items(shipment)}", "扫码查看物流 Scan to trace"),
    ]))
    _block(canvas, "承运 Carrier", details, qr_y + QR_SIZE, size=9, width=qr_x - MARGIN - 2 * mm)
    size = 6
    while size > 4 and pdfmetrics.stringWidth(url, "Helvetica", size) > right - MARGIN:
        size -= 0.5
    canvas.setFont("Helvetica", size)
    canvas.drawCentredString(LABEL_WIDTH / 2, MARGIN, url)


def _fitted(canvas: Canvas, text: str, y: float, *, size: float) -> float:
    """`text` in bold, as large as `size` and the label's width allow; the y below it."""
    while size > 10 and pdfmetrics.stringWidth(text, LATIN_BOLD, size) > LABEL_WIDTH - 2 * MARGIN:
        size -= 1
    canvas.setFont(LATIN_BOLD, size)
    canvas.drawString(MARGIN, y, text)
    return y - 2


def _cold_band(canvas: Canvas, mark: str, top: float) -> float:
    """White on black across the label: seen from across the sorting hall."""
    height = 9 * mm
    canvas.setFillColor(colors.black)
    canvas.rect(MARGIN, top - height, LABEL_WIDTH - 2 * MARGIN, height, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont(CJK, 15)
    canvas.drawCentredString(LABEL_WIDTH / 2, top - height + 2.8 * mm, mark)
    canvas.setFillColor(colors.black)
    return top - height


def _block(canvas: Canvas, heading: str, text: str, top: float, *, size: float, width: float = 0) -> float:
    """A small grey heading over a paragraph, hanging from `top`; the y below it."""
    width = width or LABEL_WIDTH - 2 * MARGIN
    canvas.setStrokeColor(colors.lightgrey)
    canvas.line(MARGIN, top, MARGIN + width, top)
    canvas.setFillColor(colors.grey)
    canvas.setFont(CJK, 7)
    canvas.drawString(MARGIN, top - 8, heading)
    canvas.setFillColor(colors.black)
    paragraph = Paragraph(text, _style(size))
    _width, height = paragraph.wrap(width, LABEL_HEIGHT)
    paragraph.drawOn(canvas, MARGIN, top - 10 - height)
    return top - 10 - height


def _recipient(address) -> str:
    if address is None:
        return _text("（无收件地址 No delivery address）")
    first, last = address.first_name, address.last_name
    name = f"{last}{first}" if HAN.search(first + last) else " ".join(filter(None, [first, last]))
    phone = getattr(address.phone_number, "as_national", address.phone_number or "")
    place = " ".join(filter(None, [address.state, address.line4, address.line1, address.line2, address.line3]))
    return _text(f"{name}  {phone}", place, address.postcode and f"邮编 {address.postcode}")


def _qr(canvas: Canvas, url: str, x: float, y: float) -> None:
    # Error correction M: a scuffed or bent label still scans.
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


# Packing slips -----------------------------------------------------------------------------------


def packing_slips_pdf(*, shipments: Iterable[Shipment]) -> bytes:
    """One A4 page per shipment (longer if its lines do not fit): what goes in the box, from whom."""
    buffer = BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title="Packing slips", leftMargin=15 * mm,
                                 rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm)
    pages = [_slip(shipment) for shipment in shipments]
    document.build([flowable for page in pages for flowable in [*page, PageBreak()]][:-1])
    return buffer.getvalue()


def _slip(shipment: Shipment) -> list:
    station, order = shipment.station, shipment.order
    placed = timezone.localtime(order.date_placed).date() if order.date_placed else ""
    return [
        Paragraph("装箱单 Packing slip", _style(18)),
        Paragraph(f"订单号 Order <font name='{LATIN_BOLD}' size='16'>{escape(order.number)}</font>", _style(12, spaceBefore=6)),
        Paragraph(_text(f"服务站 Station: {station.name} · {station.address} · {station.phone}",
                        f"下单 Ordered: {placed} · 打印 Printed: {timezone.localdate()}",
                        COLD_MARKS.get(shipment.storage, "")), _style(10, spaceBefore=6)),
        Spacer(0, 6 * mm),
        _lines_table(shipment),
        Spacer(0, 8 * mm),
        Paragraph(_text("备注 Note: 请核对商品、数量和重量后装箱；质检未通过的商品不装箱。",
                        "Check goods, quantities and weights before packing; goods that failed the quality check stay out."),
                  _style(9)),
        Spacer(0, 10 * mm),
        Paragraph("装箱人 Packed by: ______________    复核 Checked by: ______________", _style(10)),
    ]


def _lines_table(shipment: Shipment) -> Table:
    cell = _style(9)
    headings = ["#", "商品<br/>Product", "数量<br/>Qty", "农户编号<br/>Household", "入库重量<br/>Weight (kg)", "等级<br/>Grade"]
    rows = [[Paragraph(heading, cell) for heading in headings]]
    for number, line in enumerate(shipment.lines.all(), start=1):
        order_line = line.order_line
        grade = line.get_grade_display() if line.grade else "—"
        if line.qc_failed:
            grade = f"{grade} · 质检未通过 QC failed, do not pack"
        rows.append([Paragraph(escape(text), cell) for text in (
            str(number), order_line.title, str(order_line.quantity), _supplier(order_line),
            f"{line.weight_kg}" if line.weight_kg is not None else "—", str(grade),
        )])
    table = Table(rows, colWidths=[8 * mm, 60 * mm, 16 * mm, 34 * mm, 24 * mm, 38 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def _supplier(order_line) -> str:
    """The household's registry ID (a cooperative's name when no household made it)."""
    household = supplier_household(order_line)
    if household is not None:
        return household.registry_id
    return order_line.partner.name if order_line.partner_id else "—"
