"""Races and partial files: a full disk leaves no file behind, a refused row takes its files with it, two
exchanges of the last points at once give the clerk a reason (not a 500), and no task can outlive the
broker's visibility timeout (or it would be delivered twice while still running)."""

import datetime
import errno
import io
import os
import threading
import time

import pytest
from celery import current_app
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from PIL import Image

from accounts.models import Role
from activities.models import ActivityPhoto, Redemption
from activities.photos import add_photo
from activities.services import record_service
from activities.services.timebank import balance_of
from core.files import MediaStorage, orphan_files, removed_on_failure, sweep_orphan_files
from tests.conftest import make_user
from tests.factories import ActivityFactory, CadreFactory


def _files(root):
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


class FullDisk(ContentFile):
    """Content whose second chunk meets a full disk."""

    def chunks(self, chunk_size=None):
        yield b"x" * 1000
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_write_cut_short_by_a_full_disk_leaves_no_partial_file(tmp_path):
    storage = MediaStorage(location=tmp_path)
    with pytest.raises(OSError):
        storage.save("ledgers/2026-10/a.xlsx", FullDisk(b"", name="a.xlsx"))
    assert _files(tmp_path) == []


def test_files_saved_for_a_row_that_is_not_saved_are_removed(tmp_path):
    storage = MediaStorage(location=tmp_path)
    with pytest.raises(IntegrityError), removed_on_failure():
        storage.save("photos/one.jpg", ContentFile(b"1"))
        storage.save("photos/two.jpg", ContentFile(b"2"))
        raise IntegrityError("the row was refused")
    assert _files(tmp_path) == []
    with removed_on_failure():
        storage.save("photos/kept.jpg", ContentFile(b"3"))
    assert [path.name for path in _files(tmp_path)] == ["kept.jpg"]


@pytest.mark.django_db
def test_a_photo_whose_row_is_refused_leaves_no_file(monkeypatch):
    activity = ActivityFactory()
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(buffer, "JPEG")

    def refused(self, *args, **kwargs):
        raise IntegrityError("disk full while writing the row")

    monkeypatch.setattr(ActivityPhoto, "save", refused)
    with pytest.raises(IntegrityError):
        add_photo(activity=activity, upload=SimpleUploadedFile("a.jpg", buffer.getvalue()))
    assert not [path for path in _files(settings.MEDIA_ROOT) if path.suffix == ".jpg"]


def test_the_default_storage_is_the_one_that_cleans_up():
    assert settings.STORAGES["default"]["BACKEND"] == "core.files.MediaStorage"


def test_no_task_can_run_longer_than_the_brokers_visibility_timeout():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    current_app.loader.import_default_modules()
    longest = {
        name: task.time_limit or current_app.conf.task_time_limit
        for name, task in current_app.tasks.items()
        if not name.startswith("celery.")
    }
    assert all(limit for limit in longest.values()), "every task has a hard time limit"
    assert max(longest.values()) < visibility, longest


def test_every_portal_task_acknowledges_late():
    current_app.loader.import_default_modules()
    for name, task in current_app.tasks.items():
        if (
            name.split(".")[0] in ("portal", "cadres", "activities", "communities")
            and name != "portal.tasks.sweep_jobs"
        ):
            assert task.acks_late, name


@pytest.mark.django_db(transaction=True)
def test_two_exchanges_of_the_last_points_at_once_give_a_reason_not_a_500(client):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises the whole database)")
    clerk = make_user(Role.BUREAU)
    cadre = CadreFactory()
    record_service(
        cadre=cadre, served_on=datetime.date(2026, 11, 2), hours=10, description="陪伴就医", verified_by=clerk
    )
    balance = balance_of(cadre)
    barrier, outcomes = threading.Barrier(2), []

    def exchange():
        from django.test import Client

        browser = Client()
        browser.force_login(clerk)
        barrier.wait()
        response = browser.post(
            "/admin/activities/redemption/add/",
            {"cadre": cadre.pk, "points": balance, "item": "体检套餐", "redeemed_on": "2026-11-20"},
            follow=True,
        )
        outcomes.append((response.status_code, response.content.decode()))
        connection.close()

    threads = [threading.Thread(target=exchange) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _page in outcomes] == [200, 200]
    assert Redemption.objects.filter(cadre=cadre).count() == 1
    refused = [page for _status, page in outcomes if "不能兑换" in page or "不足" in page]
    assert len(refused) == 1, "the second exchange names the balance"


@pytest.mark.django_db
def test_the_media_sweep_deletes_only_old_files_that_no_row_names():
    """A worker killed between writing a file and committing its row leaves an orphan: the sweep finds
    it in any upload folder (photos, ledgers, rosters), keeps what a row names and what is still fresh."""
    activity = ActivityFactory()
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(buffer, "JPEG")
    photo = add_photo(activity=activity, upload=SimpleUploadedFile("a.jpg", buffer.getvalue()))
    left = [
        default_storage.save("ledgers/2026-10/district-0-month.xlsx", ContentFile(b"partial")),
        default_storage.save(f"activity-photos/{activity.pk}/killed.jpg", ContentFile(b"half a photo")),
        default_storage.save("roster-imports/roster.xlsx", ContentFile(b"x")),
    ]
    fresh = default_storage.save("ledgers/2026-11/being-written.xlsx", ContentFile(b"..."))
    an_hour_ago = time.time() - 2 * 3600
    for name in [*left, photo.image.name, photo.thumbnail.name]:
        os.utime(default_storage.path(name), (an_hour_ago, an_hour_ago))

    assert sorted(orphan_files()) == sorted(left)
    assert sweep_orphan_files() == 3
    for name in left:
        assert not default_storage.exists(name)
    for name in (photo.image.name, photo.thumbnail.name, fresh):
        assert default_storage.exists(name)
    assert sweep_orphan_files() == 0  # nothing more to do: safe to run again


def test_the_media_sweep_runs_every_hour():
    assert any(job["task"] == "portal.tasks.sweep_orphan_files" for job in settings.CELERY_BEAT_SCHEDULE.values())
