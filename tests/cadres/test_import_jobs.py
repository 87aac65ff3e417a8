"""Imports end: 已导入 or 失败 with a reason a clerk can act on, whatever happens to the worker; a failure
that is the system's keeps the file so the clerk can 重试 or 放弃 it from the admin."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.utils import timezone

from accounts.models import Role
from cadres import tasks
from cadres.models import Cadre, RosterImport
from tests.cadres.roster_files import good_row, roster_file
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
LATER = datetime.timedelta(minutes=5)


@pytest.fixture
def clerk(client):
    user = make_user(Role.BUREAU)
    client.force_login(user)
    return user


def _upload(client, community, capture, rows=1):
    with capture(execute=True):
        response = client.post(
            "/admin/cadres/cadre/import/",
            {
                "file": SimpleUploadedFile(
                    "花名册.xlsx", roster_file([good_row(community, n) for n in range(rows)]).read()
                )
            },
        )
    assert response.status_code == 302
    return RosterImport.objects.latest("pk")


def test_an_outage_while_checking_ends_failed_keeps_the_file_and_a_retry_finishes_it(
    client, clerk, community, monkeypatch, django_capture_on_commit_callbacks
):
    real = tasks.check_roster

    def outage(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(tasks, "check_roster", outage)
    roster_import = _upload(client, community, django_capture_on_commit_callbacks)
    assert roster_import.status == "failed" and roster_import.can_retry and roster_import.file
    page = client.get(f"/admin/cadres/cadre/import/{roster_import.pk}/").content.decode()
    assert "数据库暂时不可用" in page and "重试" in page and "放弃" in page

    monkeypatch.setattr(tasks, "check_roster", real)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/cadres/cadre/import/{roster_import.pk}/", {"action": "retry"})
    roster_import.refresh_from_db()
    assert roster_import.status == "checked" and roster_import.errors == []
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/cadres/cadre/import/{roster_import.pk}/")
    roster_import.refresh_from_db()
    assert roster_import.status == "done" and not roster_import.file
    assert Cadre.objects.count() == 1


def test_a_failed_import_can_be_discarded_which_deletes_its_file(
    client, clerk, community, monkeypatch, django_capture_on_commit_callbacks, settings
):
    monkeypatch.setattr(tasks, "check_roster", lambda *a, **k: (_ for _ in ()).throw(OperationalError("down")))
    roster_import = _upload(client, community, django_capture_on_commit_callbacks)
    name = roster_import.file.name
    client.post(f"/admin/cadres/cadre/import/{roster_import.pk}/", {"action": "discard"})
    roster_import.refresh_from_db()
    assert roster_import.status == "failed" and not roster_import.file and not roster_import.can_retry
    assert not (settings.MEDIA_ROOT / name).exists()
    assert "重新上传" in client.get(f"/admin/cadres/cadre/import/{roster_import.pk}/").content.decode()


def test_an_import_whose_worker_died_is_sent_again_then_ends_failed_with_the_reason(
    client, clerk, community, settings, monkeypatch
):
    sent = []
    monkeypatch.setattr(tasks, "send", lambda roster_import: sent.append(roster_import.pk))
    roster_import = RosterImport.objects.create(
        file=SimpleUploadedFile("a.xlsx", b"x"), file_name="a.xlsx", created_by=clerk, queued_at=timezone.now()
    )
    now = timezone.now()
    for attempt in range(settings.JOBS["attempts"]):
        # a worker took it (the job records its task) and was killed
        RosterImport.objects.filter(pk=roster_import.pk).update(
            task_id=f"dead-{attempt}", started_at=now, attempts=attempt + 1
        )
        now += LATER
        swept = tasks.sweep_imports(alive={"someone-else"}, queue_empty=False, now=now)
    assert sent == [roster_import.pk] * (settings.JOBS["attempts"] - 1)
    assert swept == {"imports_resent": 0, "imports_failed": 1}
    roster_import.refresh_from_db()
    assert roster_import.status == "failed" and roster_import.can_retry
    assert "中断了3次" in roster_import.reason


def test_an_import_held_by_a_live_task_is_left_alone(clerk, monkeypatch):
    monkeypatch.setattr(tasks, "send", lambda roster_import: pytest.fail("sent a live import again"))
    RosterImport.objects.create(
        file_name="a.xlsx", created_by=clerk, task_id="alive", started_at=timezone.now(), attempts=1
    )
    assert tasks.sweep_imports(alive={"alive"}, queue_empty=True, now=timezone.now() + LATER)["imports_failed"] == 0


def test_an_import_whose_message_was_lost_is_sent_again(clerk, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks, "send", lambda roster_import: sent.append(roster_import.pk))
    waiting = RosterImport.objects.create(file_name="a.xlsx", created_by=clerk, queued_at=timezone.now())
    assert tasks.sweep_imports(alive=set(), queue_empty=False, now=timezone.now() + LATER)["imports_resent"] == 0
    assert tasks.sweep_imports(alive=set(), queue_empty=True, now=timezone.now() + LATER)["imports_resent"] == 1
    assert sent == [waiting.pk]


def test_a_kept_file_is_deleted_after_a_day(clerk, settings):
    roster_import = RosterImport.objects.create(
        file=SimpleUploadedFile("a.xlsx", b"x"),
        file_name="a.xlsx",
        created_by=clerk,
        status="failed",
        retry_as="checking",
        finished_at=timezone.now() - datetime.timedelta(hours=25),
    )
    name = roster_import.file.name
    tasks.discard_stale_roster_imports()
    roster_import.refresh_from_db()
    assert not roster_import.file and not (settings.MEDIA_ROOT / name).exists()


def test_every_import_task_acknowledges_late_and_is_requeued_if_its_worker_is_lost():
    for task in (tasks.check_roster_import, tasks.apply_roster_import):
        assert task.acks_late and task.reject_on_worker_lost
