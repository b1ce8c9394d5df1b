"""Product photos: re-encoded without metadata (a farmer's GPS position must not
leak), and served as sized WebP renditions."""

import io
import random

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageDraw, ImageOps

CARD_PX = 480
LARGE_PX = 1080
ORIGINAL_PX = 2048
MAX_UPLOAD_BYTES = 12 * 1024 * 1024  # a phone camera's JPEG is 2–6 MB
# What a picture may declare (a 50-megapixel phone photo), and what may be decoded of it: a JPEG
# is decoded at a half, a quarter or an eighth of its size when that still covers ORIGINAL_PX (so
# under 4096 px a side: any JPEG within MAX_PIXELS fits), other formats in full. 4096² pixels
# decode to at most 64 MB (RGBA), whatever the file says.
MAX_PIXELS = 50_000_000
MAX_DECODED_PIXELS = 4096 * 4096
# Pillow reads many more (EPS through Ghostscript, PSD, TIFF, ...): a photo is one of these.
# HEIC would need a plugin, which we do not install.
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")


def _not_a_photo() -> ValidationError:
    return ValidationError(_("This file is not a photo. Please take or choose a JPEG, PNG or WebP picture."))


def _too_many_pixels() -> ValidationError:
    return ValidationError(_("The photo has too many pixels."))


def _damaged() -> ValidationError:
    return ValidationError(_("The photo file is damaged or incomplete. Please take or choose the picture again."))


def _fitting(size: tuple[int, int], max_px: int) -> tuple[int, int]:
    """`size` scaled so that its longer side is `max_px` (the box a JPEG draft must still cover)."""
    scale = max_px / max(size)
    return max(1, int(size[0] * scale)), max(1, int(size[1] * scale))


def _decoded(data: bytes) -> Image.Image:
    """The picture in `data`, decoded in full, or a ValidationError: only FORMATS, and the pixel
    count is checked from the header before anything is decoded."""
    try:
        # Pillow refuses more than twice its Image.MAX_IMAGE_PIXELS itself (DecompressionBombError);
        # MAX_PIXELS is far below even the size it warns at.
        # Only FORMATS are tried (a JPEG with a second view comes back as MPO, a kind of JPEG).
        image = Image.open(io.BytesIO(data), formats=FORMATS)
        if image.width * image.height > MAX_PIXELS:
            raise _too_many_pixels()
        if image.format in ("JPEG", "MPO") and max(image.size) > ORIGINAL_PX:
            image.draft("RGB", _fitting(image.size, ORIGINAL_PX))
        if image.width * image.height > MAX_DECODED_PIXELS:
            raise _too_many_pixels()
        image.load()
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels() from None
    except Image.UnidentifiedImageError:
        raise _not_a_photo() from None
    except Exception:  # Pillow raises OSError, ValueError, SyntaxError, struct.error, ... on bad data
        raise _damaged() from None
    return image


def photo_bytes(upload) -> bytes:
    """The bytes of an uploaded photo, or a ValidationError a clerk can act on. The picture is
    decoded here in full, so a file that passes is one `renditions` can read."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The photo is too large (%(mb)s MB). The limit is %(limit)s MB.")
            % {"mb": round(upload.size / 1024 / 1024, 1), "limit": MAX_UPLOAD_BYTES // 1024 // 1024}
        )
    data = upload.read()
    _decoded(data).close()
    return data


def _open_upright(data: bytes) -> Image.Image:
    image = _decoded(data)
    try:
        # Down to the original's size first, so the copies below are small.
        image.thumbnail((ORIGINAL_PX, ORIGINAL_PX), Image.Resampling.LANCZOS)
        try:
            # Respect the camera's rotation before the EXIF that records it is dropped.
            image = ImageOps.exif_transpose(image)
        except Exception:  # a damaged EXIF block: keep the picture as it is
            pass
        return image.convert("RGB")
    except Exception:
        raise _damaged() from None


def webp_rendition(image: Image.Image, *, max_px: int, quality: int = 78) -> bytes:
    copy = image.copy()
    copy.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # Pillow writes no EXIF unless asked to, so the rendition carries none.
    copy.save(out, "WEBP", quality=quality, method=4)
    return out.getvalue()


def renditions(data: bytes, *, stem: str) -> dict[str, ContentFile]:
    """The stripped original (as JPEG) and the card and large WebP renditions; a ValidationError
    for anything `photo_bytes` would refuse."""
    image = _open_upright(data)
    try:
        original = io.BytesIO()
        image.save(original, "JPEG", quality=88)
        return {
            "original": ContentFile(original.getvalue(), name=f"{stem}.jpg"),
            "card": ContentFile(webp_rendition(image, max_px=CARD_PX), name=f"{stem}-card.webp"),
            "large": ContentFile(webp_rendition(image, max_px=LARGE_PX), name=f"{stem}-large.webp"),
        }
    except Exception:
        raise _damaged() from None


# Pictures uploaded to the CMS (Wagtail's own formats) are kept in their format, only without
# their metadata: `metadata_stripped`.
CMS_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "AVIF")
# What Pillow reads into `Image.info` that says nothing about who took a picture, or where.
TECHNICAL_INFO = frozenset({
    "adobe", "adobe_transform", "aspect", "background", "bbox", "blend", "chromaticity", "default_image",
    "disposal", "dpi", "duration", "extension", "gamma", "icc_profile", "interlace", "jfif", "jfif_density",
    "jfif_unit", "jfif_version", "loop", "progression", "progressive", "srgb", "timestamp", "transparency",
    "version",
})


def _has_metadata(image: Image.Image) -> bool:
    return bool(image.getexif()) or bool(set(image.info) - TECHNICAL_INFO)


def metadata_stripped(data: bytes) -> bytes | None:
    """`data` re-encoded in its own format without EXIF (GPS position, camera, time), XMP, text
    chunks or comments, turned upright first, its colour profile kept; None when it carries no
    metadata (nothing to do) or is not a picture of CMS_FORMATS (Wagtail's form refuses those).
    Raises ValidationError when the metadata is there but cannot be removed."""
    try:
        image = Image.open(io.BytesIO(data), formats=CMS_FORMATS)
        if not _has_metadata(image):
            return None
    except Exception:  # not a picture we handle: Wagtail's own form refuses it
        return None
    try:
        fmt = "JPEG" if image.format == "MPO" else image.format
        options = {"icc_profile": image.info["icc_profile"]} if image.info.get("icc_profile") else {}
        if getattr(image, "n_frames", 1) > 1:
            image.load()
            options["save_all"] = True
            for key in ("duration", "loop", "disposal", "transparency", "background"):
                if key in image.info:
                    options[key] = image.info[key]
        elif image.getexif().get(ExifTags.Base.Orientation, 1) != 1:
            image = ImageOps.exif_transpose(image)
            options.update({"quality": 92} if fmt == "JPEG" else {})
        elif fmt == "JPEG":
            # The original's own quantisation: re-encoding loses (almost) nothing.
            options.update({"quality": "keep", "subsampling": "keep"})
        # Pillow writes some of what it read back out (comments, text chunks): keep only the rest.
        image.info = {key: value for key, value in image.info.items() if key in TECHNICAL_INFO}
        out = io.BytesIO()
        image.save(out, fmt, **options)
        return out.getvalue()
    except Exception as error:
        # Fail closed: a picture that carries metadata we could not remove is not stored at all.
        raise ValidationError(_("This picture's location and camera data could not be removed; it was not stored.")) from error


# Demo pictures, drawn locally: a motif per kind of goods on a warm background.
PALETTES = {
    "poultry": ((238, 226, 208), (40, 36, 42), (196, 62, 46)),
    "eggs": ((232, 222, 200), (214, 190, 160), (150, 110, 80)),
    "fruit": ((226, 238, 214), (200, 40, 48), (92, 140, 60)),
    "mountain produce": ((236, 228, 210), (170, 130, 80), (96, 120, 70)),
    "grain and flour": ((244, 236, 214), (200, 160, 90), (120, 90, 50)),
    "vegetables": ((230, 236, 218), (190, 160, 110), (90, 130, 70)),
    "handicrafts": ((30, 36, 60), (200, 40, 60), (240, 200, 60)),
}


def demo_picture(*, kind: str, seed: int, px: int = 900) -> bytes:
    rng = random.Random(seed)
    background, main, accent = PALETTES.get(kind, PALETTES["grain and flour"])
    image = Image.new("RGB", (px, px), background)
    draw = ImageDraw.Draw(image)
    if kind == "handicrafts":
        _embroidery(draw, rng, px, main, accent)
    else:
        for _ in range(rng.randint(3, 7)):
            r = rng.randint(px // 10, px // 5)
            x, y = rng.randint(r, px - r), rng.randint(r + px // 8, px - r)
            shape = draw.ellipse if kind in ("fruit", "eggs", "poultry") else draw.rounded_rectangle
            shape((x - r, y - int(r * 0.9), x + r, y + int(r * 0.9)), fill=main, outline=accent, width=6)
            draw.line((x, y - r, x + r // 3, y - r - r // 2), fill=accent, width=8)
    draw.rectangle((0, 0, px, px // 14), fill=accent)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _embroidery(draw, rng, px, main, accent):
    step = px // rng.choice([6, 8, 10])
    for row in range(0, px, step):
        for col in range(0, px, step):
            colour = main if (row // step + col // step) % 2 else accent
            cx, cy, h = col + step // 2, row + step // 2, step // 2 - 4
            draw.polygon([(cx, cy - h), (cx + h, cy), (cx, cy + h), (cx - h, cy)], fill=colour)
