"""The project package: settings, URLs, the Celery app, the WSGI/ASGI entry points. No models."""

from config.celery import app as celery_app

__all__ = ["celery_app"]
