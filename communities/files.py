"""Media files that never outlive a failed write: no partial file after a full disk, no orphan after a
refused row.

- ``MediaStorage`` (the default storage) deletes what it had written when writing fails half way
  (ENOSPC, EIO): Django's FileSystemStorage leaves the partial file behind.
- ``removed_on_failure()`` wraps a service's write: every file saved inside it, through any storage that
  mixes in ``TracksWrittenFiles``, is deleted again if the block raises — the row that would have named
  it was never saved. Photos, ledgers and roster uploads are written inside one.
"""

import contextlib
import contextvars
import logging

from django.core.files.storage import FileSystemStorage

logger = logging.getLogger(__name__)
_written: contextvars.ContextVar[list | None] = contextvars.ContextVar("files_written", default=None)


class TracksWrittenFiles:
    """A storage mixin: files saved inside ``removed_on_failure()`` are remembered for clean-up."""

    def save(self, name, content, max_length=None):
        name = super().save(name, content, max_length=max_length)
        written = _written.get()
        if written is not None:
            written.append((self, name))
        return name


class MediaStorage(TracksWrittenFiles, FileSystemStorage):
    """The portal's media on disk; a write that fails half way leaves no partial file."""

    def _save(self, name, content):
        try:
            return super()._save(name, content)
        except FileExistsError:
            raise
        except OSError:
            # save() chose a free name before calling _save, so a file there now is this write's remains
            with contextlib.suppress(OSError):
                self.delete(name)
            raise


@contextlib.contextmanager
def removed_on_failure():
    """Delete the files saved in this block if the block raises; nested blocks hand theirs outwards."""
    outer = _written.get()
    written: list = []
    token = _written.set(written)
    try:
        yield written
    except BaseException:
        for storage, name in written:
            try:
                storage.delete(name)
            except Exception:  # noqa: BLE001 - the original error matters more than a failed clean-up
                logger.warning("could not remove %s after a failed write", name, exc_info=True)
        raise
    finally:
        _written.reset(token)
    if outer is not None:
        outer.extend(written)
