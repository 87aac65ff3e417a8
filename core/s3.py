"""Media on S3-compatible object storage (django-storages), for a portal run on more than one host.

Imported only when ``MEDIA_S3_BUCKET`` is set (config/settings.py), so a one-host portal never loads
boto3. Files saved inside ``removed_on_failure()`` are deleted again when the row naming them is not
saved, as on the local disk; an object store writes an object whole or not at all, so no partial file.
"""

from storages.backends.s3 import S3Storage

from core.files import TracksWrittenFiles


class S3MediaStorage(TracksWrittenFiles, S3Storage):
    """The portal's media in a bucket: no object left by a write that failed."""
