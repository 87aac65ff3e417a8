import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cadres.models import Cadre
from communities.models import AuditEvent
from core.audit import record_event
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db


def test_nothing_purges_audit_rows_younger_than_180_days():
    with pytest.raises(CommandError, match="180"):
        call_command("purge_audit", days=30)
    with pytest.raises(CommandError, match="180"):
        call_command("clean_old_history", auto=True, days=30)


def test_purging_keeps_what_is_younger_and_drops_what_is_older():
    old = record_event(kind="login", username="alice")
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=400))
    recent = record_event(kind="login", username="bob")
    cadre = CadreFactory()
    Cadre.history.filter(id=cadre.pk).update(history_date=timezone.now() - datetime.timedelta(days=400))
    CadreFactory()
    call_command("purge_audit", days=365)
    assert list(AuditEvent.objects.all()) == [recent]
    assert Cadre.history.count() == 1
