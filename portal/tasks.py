"""Celery tasks of the portal. Tasks take ids, call a selector or service, and are idempotent."""

from celery import shared_task

from cadres.models import Cadre


@shared_task
def count_living_cadres(community_id: int) -> int:
    """How many living cadres a community has (a health check of the worker and its database)."""
    return Cadre.objects.living().filter(community_id=community_id).count()
