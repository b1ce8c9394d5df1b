"""Uploaded photos: only JPEG, PNG, WebP and GIF pictures that decode in full and within a pixel
budget are kept; anything else is refused with a message a clerk can act on, and nothing is stored."""

import functools
import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from catalogue.images import demo_picture, photo_bytes, renditions
from catalogue.models import Category, Product, ProductImage
from catalogue.services import categories_ensure


def _upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def truncated_jpeg() -> bytes:
    data = demo_picture(kind="fruit", seed=3)
    return data[: len(data) // 2]


EPS = b"""%!PS-Adobe-3.0 EPSF-3.0
%%BoundingBox: 0 0 100 100
%%EndComments
newpath 10 10 moveto 90 90 lineto stroke
showpage
%%EOF
"""


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@functools.cache
def png_bomb(width: int = 8000, height: int = 5000) -> bytes:
    """A valid black PNG of 40 million pixels (120 MB once decoded) in about 120 KB: under the
    old 50-million-pixel check, but far over what one upload may cost in memory."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + width * 3)  # filter byte + RGB
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def png_declaring(width: int, height: int) -> bytes:
    """A PNG header declaring a size, with one row of data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (1 + 3 * min(width, 1024)))
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def picture(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(out, fmt)
    return out.getvalue()


def _refusal(data: bytes, name: str = "photo.jpg") -> str:
    """The refusal's message, in English (the words the tests look for)."""
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        photo_bytes(_upload(name, data))
    return " ".join(refused.value.messages)


# --- the check --------------------------------------------------------------------------------


def test_a_truncated_jpeg_is_refused_as_damaged():
    assert "damaged" in _refusal(truncated_jpeg())


def test_an_eps_file_is_refused_and_never_reaches_ghostscript(monkeypatch):
    from PIL import EpsImagePlugin

    def no_ghostscript(*args, **kwargs):
        raise AssertionError("Ghostscript was asked to render an upload")

    monkeypatch.setattr(EpsImagePlugin, "Ghostscript", no_ghostscript)
    assert "JPEG" in _refusal(EPS, name="photo.eps")


def test_a_png_that_decodes_to_too_many_pixels_is_refused_before_decoding(monkeypatch):
    from PIL import ImageFile

    def no_decoding(*args, **kwargs):
        raise AssertionError("the bomb was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    assert "pixels" in _refusal(png_bomb(), name="photo.png")


def test_a_png_declaring_billions_of_pixels_is_refused():
    assert "pixels" in _refusal(png_declaring(60000, 60000), name="photo.png")


def test_a_text_file_is_refused_as_not_a_photo():
    assert "JPEG" in _refusal(b"not really a picture", name="notes.jpg")


def test_a_heic_photo_is_refused_with_the_formats_accepted():
    # The start of an iPhone's HEIC file: Pillow reads none without a plugin, and we add none.
    heic = struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic" + b"\x00" * 64
    assert "JPEG" in _refusal(heic, name="IMG_0001.HEIC")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_the_four_formats_are_accepted(fmt):
    data = picture(fmt)
    assert photo_bytes(_upload(f"photo.{fmt.lower()}", data)) == data


# --- the renditions refuse what the check refuses (for callers that skip it) ------------------


@pytest.mark.parametrize("data", [truncated_jpeg(), EPS, b"not really a picture"], ids=["truncated", "eps", "text"])
def test_renditions_refuse_a_bad_file_with_a_validation_error(data):
    with pytest.raises(ValidationError):
        renditions(data, stem="p1-0")


def test_renditions_of_a_bomb_are_refused():
    with pytest.raises(ValidationError):
        renditions(png_bomb(), stem="p1-0")


def test_a_50_megapixel_jpeg_is_decoded_at_a_reduced_size_and_kept():
    out = io.BytesIO()
    Image.new("RGB", (8160, 6120), (10, 120, 30)).save(out, "JPEG", quality=60)
    files = renditions(out.getvalue(), stem="p1-0")
    with Image.open(files["original"]) as original:
        assert max(original.size) == 2048


# --- through the station console ---------------------------------------------------------------


def _list_with_photo(signed_in, people, photo: SimpleUploadedFile):
    categories_ensure()
    data = {
        "product": "", "title": "庙坝土鸡蛋", "category": Category.objects.get(slug="poultry-eggs").pk,
        "unit": "盒(30 枚)", "description": "散养土鸡蛋", "price": "45.00", "stock": "20", "photo": photo,
    }
    client = signed_in(people.clerk_miaoba)
    with translation.override("en"):  # the English console, so the tests read English messages
        url = reverse("station:listing-create", args=[people.household_miaoba.registry_id])
    return client.post(url, data)


def _stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("photo.jpg", truncated_jpeg(), "damaged"),
        ("photo.eps", EPS, "JPEG"),
        ("photo.png", png_bomb(), "pixels"),
        ("notes.jpg", b"not really a picture", "JPEG"),
    ],
    ids=["truncated-jpeg", "eps", "png-bomb", "text"],
)
def test_the_console_refuses_a_bad_photo_with_a_message_and_stores_nothing(
    signed_in, people, settings, name, data, words
):
    response = _list_with_photo(signed_in, people, _upload(name, data))
    assert response.status_code == 200
    assert words in response.content.decode()
    assert not Product.objects.filter(title="庙坝土鸡蛋").exists()
    assert not ProductImage.objects.exists()
    assert _stored_files(settings) == []
