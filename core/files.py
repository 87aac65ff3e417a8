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
from collections.abc import Iterator
from typing import Any

from django.core.files.storage import FileSystemStorage, Storage

logger = logging.getLogger(__name__)
_written: contextvars.ContextVar[list | None] = contextvars.ContextVar("files_written", default=None)


class TracksWrittenFiles(Storage):
    """A storage mixin: files saved inside ``removed_on_failure()`` are remembered for clean-up."""

    def save(self, name: str | None, content: Any, max_length: int | None = None) -> str:
        name = super().save(name, content, max_length=max_length)
        written = _written.get()
        if written is not None:
            written.append((self, name))
        return name


class CleanFileSystemStorage(FileSystemStorage):
    """Files on disk; a write that fails half way leaves no partial file."""

    def _save(self, name: str, content: Any) -> str:
        try:
            return super()._save(name, content)  # type: ignore[misc]  # django-stubs leave out _save
        except FileExistsError:
            raise
        except OSError:
            # save() chose a free name before calling _save, so a file there now is this write's remains
            with contextlib.suppress(OSError):
                self.delete(name)
            raise


class MediaStorage(TracksWrittenFiles, CleanFileSystemStorage):
    """The portal's media on disk: no partial file, and no file left by a write that failed."""


@contextlib.contextmanager
def removed_on_failure() -> Iterator[list]:
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
