"""Photos from the worker's phone: checked by content and size, turned upright, stripped of all metadata, resized.

Limits (README "Upload limits"): ``PHOTO_MAX_BYTES`` for the file, ``PHOTO_MAX_PIXELS`` read from the header
before anything is decoded; a JPEG is decoded straight at the size it is stored at (``draft``), so a phone's
50-megapixel photo costs a few MB. What is stored is pixels only: no EXIF, GPS, comments, XMP or ICC data.
"""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from activities.models import ActivityPhoto
from approvals.lock import assert_record_open
from core.files import removed_on_failure

LONG_SIDE = 1920
THUMB_SIDE = 360
ACCEPTED = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"}


def _encode(image, side):
    copy = image.copy()
    copy.thumbnail((side, side))
    copy.info = {}
    buffer = io.BytesIO()
    copy.save(buffer, format="JPEG", quality=85, optimize=True, exif=b"", comment=b"", icc_profile=None)
    return buffer.getvalue()


def add_photo(*, activity, upload, by=None) -> ActivityPhoto:
    """Store one photo of an activity; anything that is not an image is refused with a reason."""
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise ValidationError(
            _("照片超过%(max)dMB，请压缩后再上传。") % {"max": settings.PHOTO_MAX_BYTES // 1048576}, code="too_big"
        )
    try:
        with Image.open(upload) as probe:  # reads the header only
            if probe.format not in ACCEPTED:
                raise ValidationError(_("只能上传照片（JPG、PNG等图片）。"), code="not_image")
            if probe.width * probe.height > settings.PHOTO_MAX_PIXELS:
                raise ValidationError(
                    _("照片像素过大（超过%(max)d万像素），请用手机正常拍照或缩小后再上传。")
                    % {"max": settings.PHOTO_MAX_PIXELS // 10_000},
                    code="too_many_pixels",
                )
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as original:
            if original.format in ("JPEG", "MPO"):
                original.draft("RGB", (LONG_SIDE * 2, LONG_SIDE * 2))  # decode at a fraction of the size
            image = ImageOps.exif_transpose(original).convert("RGB")  # upright
            image.info = {}  # Pillow carries comments, XMP and profiles over to what it saves
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        message = _("只能上传照片（JPG、PNG等图片），这个文件不是图片或已损坏。")
        raise ValidationError(message, code="not_image") from None
    photo = ActivityPhoto(activity=activity, uploaded_by=by)
    with removed_on_failure(), transaction.atomic():  # a full disk or a refused row leaves no file behind
        assert_record_open(photo)  # in the write's transaction: the month's row is read FOR SHARE
        photo.image.save("photo.jpg", ContentFile(_encode(image, LONG_SIDE)), save=False)
        photo.thumbnail.save("thumb.jpg", ContentFile(_encode(image, THUMB_SIDE)), save=False)
        photo.save()
    return photo
