"""Pictures uploaded to the CMS (Wagtail's images) are stored without their metadata: the
originals are public under /media/original_images/, and a phone photo's EXIF says where it was taken."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image
from wagtail.images import get_image_model

from shop.factories import UserFactory
from tests.photos import jpeg_with_gps

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def _root_collection(db):
    """Created by Wagtail's migrations; restored here in case a transactional test flushed it."""
    from wagtail.models import Collection

    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")


@pytest.fixture
def operator(client):
    client.force_login(UserFactory(username="operator", is_staff=True, is_superuser=True))
    return client


def _assert_no_metadata(image) -> None:
    with image.file.open("rb") as stored:
        data = stored.read()
    with Image.open(io.BytesIO(data)) as opened:
        exif = opened.getexif()
        assert not exif and not exif.get_ifd(GPS_IFD), image.file.name
        assert "exif" not in opened.info
    assert b"FarmPhone" not in data


def test_a_picture_added_in_the_cms_is_stored_without_its_gps_position(operator):
    response = operator.post(reverse("wagtailimages:add"), {"title": "庙坝的鸡", "file": jpeg_with_gps()})
    assert response.status_code == 302
    _assert_no_metadata(get_image_model().objects.get(title="庙坝的鸡"))


def test_no_copy_with_the_gps_position_is_left_in_media(operator, settings):
    operator.post(reverse("wagtailimages:add"), {"title": "鸡", "file": jpeg_with_gps()})
    get_image_model().objects.create(title="鸡", file=jpeg_with_gps())
    stored = [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]
    assert len(stored) == 2
    assert [path for path in stored if b"FarmPhone" in path.read_bytes()] == []


def test_a_picture_uploaded_several_at_a_time_is_stored_without_its_gps_position(operator):
    response = operator.post(reverse("wagtailimages:add_multiple"), {"files[]": jpeg_with_gps("farm.jpg")})
    assert response.status_code == 200 and response.json()["success"]
    _assert_no_metadata(get_image_model().objects.get())


def test_a_new_file_for_a_picture_in_the_cms_is_stored_without_its_gps_position(operator):
    image = get_image_model().objects.create(title="鸡", file=_plain_jpeg())
    response = operator.post(reverse("wagtailimages:edit", args=[image.pk]),
                             {"title": "鸡", "file": jpeg_with_gps("again.jpg")})
    assert response.status_code == 302
    image.refresh_from_db()
    _assert_no_metadata(image)


def test_a_picture_saved_by_code_is_stored_without_its_gps_position():
    image = get_image_model().objects.create(title="鸡", file=jpeg_with_gps())
    image.refresh_from_db()
    _assert_no_metadata(image)


def test_the_stored_size_and_hash_are_those_of_the_stripped_file(operator):
    operator.post(reverse("wagtailimages:add"), {"title": "鸡", "file": jpeg_with_gps()})
    image = get_image_model().objects.get()
    with image.file.open("rb") as stored:
        data = stored.read()
    assert (image.file_size, image.file_hash) == (len(data), hashlib.sha1(data).hexdigest())


def test_a_photo_taken_on_its_side_is_stored_upright():
    upload = jpeg_with_gps()
    with Image.open(upload) as opened:
        exif = opened.getexif()
        exif[ExifTags.Base.Orientation] = 6  # rotate 90° clockwise to view
        out = io.BytesIO()
        opened.save(out, "JPEG", exif=exif)
    image = get_image_model().objects.create(title="鸡", file=SimpleUploadedFile("side.jpg", out.getvalue()))
    assert (image.width, image.height) == (1200, 1600)
    _assert_no_metadata(image)


def _plain_jpeg(name="plain.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 120, 40)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def test_a_picture_without_metadata_is_stored_as_uploaded():
    upload = _plain_jpeg()
    image = get_image_model().objects.create(title="鸡", file=upload)
    with image.file.open("rb") as stored:
        upload.seek(0)
        assert stored.read() == upload.read()


def test_changing_a_pictures_title_leaves_its_file_alone():
    image = get_image_model().objects.create(title="鸡", file=jpeg_with_gps())
    name = image.file.name
    image.title = "乌骨鸡"
    image.save()
    image.refresh_from_db()
    assert image.file.name == name
