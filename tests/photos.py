"""Photos as phones take them, for upload tests."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def jpeg_with_gps(name="photo.jpg") -> SimpleUploadedFile:
    """A phone photo whose EXIF records where it was taken."""
    image = Image.new("RGB", (1600, 1200), (180, 40, 40))
    exif = image.getexif()
    exif[0x010F] = "FarmPhone"  # camera make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (28.0, 6.0, 30.0), "E", (104.0, 14.0, 12.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")
