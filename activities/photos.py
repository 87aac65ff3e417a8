"""Photos from the worker's phone: checked by content, turned upright, stripped of EXIF, resized."""

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from activities.models import ActivityPhoto

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 60_000_000  # a decompression bomb is refused before it is decoded
LONG_SIDE = 1920
THUMB_SIDE = 360
ACCEPTED = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"}


def _encode(image, side):
    copy = image.copy()
    copy.thumbnail((side, side))
    buffer = io.BytesIO()
    copy.save(buffer, format="JPEG", quality=85, optimize=True)  # no exif= argument: nothing of it is kept
    return buffer.getvalue()


@transaction.atomic
def add_photo(*, activity, upload, by=None) -> ActivityPhoto:
    """Store one photo of an activity; anything that is not an image is refused with a reason."""
    if upload.size > MAX_BYTES:
        raise ValidationError(_("照片超过20MB，请压缩后再上传。"), code="too_big")
    try:
        with Image.open(upload) as probe:
            if probe.format not in ACCEPTED:
                raise ValidationError(_("只能上传照片（JPG、PNG等图片）。"), code="not_image")
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("照片像素过大，无法处理。"), code="too_many_pixels")
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as original:
            image = ImageOps.exif_transpose(original).convert("RGB")  # upright, then EXIF is dropped
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        message = _("只能上传照片（JPG、PNG等图片），这个文件不是图片或已损坏。")
        raise ValidationError(message, code="not_image") from None
    photo = ActivityPhoto(activity=activity, uploaded_by=by)
    photo.image.save("photo.jpg", ContentFile(_encode(image, LONG_SIDE)), save=False)
    photo.thumbnail.save("thumb.jpg", ContentFile(_encode(image, THUMB_SIDE)), save=False)
    photo.save()
    return photo
