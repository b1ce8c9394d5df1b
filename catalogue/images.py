"""Product photos: re-encoded without metadata (a farmer's GPS position must not
leak), and served as sized WebP renditions."""

import io
import random

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageOps

CARD_PX = 480
LARGE_PX = 1080
ORIGINAL_PX = 2048
MAX_UPLOAD_BYTES = 12 * 1024 * 1024  # a phone camera's JPEG is 2–6 MB
MAX_PIXELS = 50_000_000


def photo_bytes(upload) -> bytes:
    """The bytes of an uploaded photo, or a ValidationError a clerk can act on."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The photo is too large (%(mb)s MB). The limit is %(limit)s MB.")
            % {"mb": round(upload.size / 1024 / 1024, 1), "limit": MAX_UPLOAD_BYTES // 1024 // 1024}
        )
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("The photo has too many pixels."))
            probe.verify()
    except ValidationError:
        raise
    except Exception:
        raise ValidationError(_("This file is not a photo. Please take or choose a JPEG, PNG or WebP picture."))
    return data


def _open_upright(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    # Respect the camera's rotation before the EXIF that records it is dropped.
    image = ImageOps.exif_transpose(image)
    return image.convert("RGB")


def webp_rendition(image: Image.Image, *, max_px: int, quality: int = 78) -> bytes:
    copy = image.copy()
    copy.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # Pillow writes no EXIF unless asked to, so the rendition carries none.
    copy.save(out, "WEBP", quality=quality, method=4)
    return out.getvalue()


def renditions(data: bytes, *, stem: str) -> dict[str, ContentFile]:
    """The stripped original (as JPEG) and the card and large WebP renditions."""
    image = _open_upright(data)
    image.thumbnail((ORIGINAL_PX, ORIGINAL_PX), Image.Resampling.LANCZOS)
    original = io.BytesIO()
    image.save(original, "JPEG", quality=88)
    return {
        "original": ContentFile(original.getvalue(), name=f"{stem}.jpg"),
        "card": ContentFile(webp_rendition(image, max_px=CARD_PX), name=f"{stem}-card.webp"),
        "large": ContentFile(webp_rendition(image, max_px=LARGE_PX), name=f"{stem}-large.webp"),
    }


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
