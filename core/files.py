"""Media files that never outlive a failed write: no partial file after a full disk, no orphan after a
refused row.

- ``MediaStorage`` (the default storage) deletes what it had written when writing fails half way
  (ENOSPC, EIO): Django's FileSystemStorage leaves the partial file behind.
- ``removed_on_failure()`` wraps a service's write: every file saved inside it, through any storage that
  mixes in ``TracksWrittenFiles``, is deleted again if the block raises — the row that would have named
  it was never saved. Photos, ledgers and roster uploads are written inside one.
- ``sweep_orphan_files()`` (hourly, from beat) deletes what a process killed between the write and the
  commit left: files in the upload folders no row names, older than an hour.
"""

import contextlib
import contextvars
import datetime
import logging
from collections.abc import Iterator
from typing import Any

from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import models
from django.utils import timezone

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


# --- the sweeper for what a killed process left --------------------------------------------------------
# A process killed between writing a file and committing the row that names it (SIGKILL, OOM, power)
# leaves a file nobody names; nothing in-process can prevent that. The sweep finds them: every file under
# a media folder that a model's file field writes into, not named by any row and older than a grace
# period (a write under way is never that old), is deleted.

ORPHAN_GRACE = datetime.timedelta(hours=1)


def _file_fields() -> list[tuple[type[models.Model], str]]:
    from django.apps import apps  # noqa: PLC0415 - core stays free of the apps' models at import time

    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField)
    ]


def _walk(storage: Storage, folder: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from _walk(storage, f"{folder}/{sub}" if folder else sub)


def orphan_files(*, grace: datetime.timedelta = ORPHAN_GRACE, storage: Storage | None = None) -> list[str]:
    """Media files under the portal's upload folders that no row names and that are older than ``grace``."""
    storage = storage or default_storage
    fields = _file_fields()
    named: set[str] = set()
    for model, field in fields:
        named.update(
            model._default_manager.exclude(**{field: ""}).values_list(field, flat=True).iterator(chunk_size=5000)
        )
    # the top folder each field writes into: "ledgers/", "roster-imports/", "activity-photos/<id>/…"
    folders = sorted({_top_folder(model, field) for model, field in fields} - {""})
    cutoff = timezone.now() - grace
    orphans = []
    for folder in folders:
        for name in _walk(storage, folder):
            if name in named:
                continue
            try:
                written_at = storage.get_modified_time(name)
            except FileNotFoundError:
                continue  # deleted between the listing and now: nothing left to sweep
            # a storage that cannot tell a file's age raises NotImplementedError here: the sweep must not
            # guess (it could delete a file being written), so the job fails and the failure is seen
            if written_at <= cutoff:
                orphans.append(name)
    return orphans


def _top_folder(model: type[models.Model], field: str) -> str:
    upload_to = model._meta.get_field(field).upload_to  # type: ignore[union-attr]
    if callable(upload_to):
        upload_to = upload_to(model(), "x")
    return str(upload_to).split("/", 1)[0]


def sweep_orphan_files(*, grace: datetime.timedelta = ORPHAN_GRACE) -> int:
    """Delete the orphan files (see ``orphan_files``); how many were deleted."""
    orphans = orphan_files(grace=grace)
    for name in orphans:
        with contextlib.suppress(FileNotFoundError):
            default_storage.delete(name)
    if orphans:
        logger.warning(
            "deleted %d media files no row names (a process killed mid-write): %s", len(orphans), orphans[:5]
        )
    return len(orphans)
