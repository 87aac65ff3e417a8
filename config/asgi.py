import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
from portal.checks import refuse_unsafe_start  # noqa: E402 - settings first

application = get_asgi_application()
refuse_unsafe_start()
