"""Sign-in with no signal: the roster a phone searches offline, the queue it sends when the signal returns,
and the service worker that keeps the sign-in page opening in a Party room without reception.

The phone holds only what a search result shows (name, age, phone tail, branch) for the community's living
cadres, and the taps it could not send yet; each tap carries its own key, so a tap sent twice (an answer
lost on the way back, a queue sent again) is written once.
"""

import hashlib
import json

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from activities.forms import TapForm
from activities.services import sync_sign_ins
from activities.services.schedule import SYNC_BATCH_MAX, SYNC_REFUSED
from activities.views import _activity
from cadres.selectors import offline_roster
from communities.models import AuditEvent
from core.audit import record_event

# what the service worker keeps for the sign-in page to open offline
OFFLINE_ASSETS = (
    "css/portal.css",
    "django_htmx/htmx-2.min.js",
    "django_htmx/django-htmx.js",
    "js/portal.js",
    "js/offline.js",
)


@require_GET
def sign_in_roster(request, pk):
    """The community's living cadres as the offline search needs them (fetched when the page opens)."""
    activity = _activity(request, pk)
    roster = offline_roster(community=activity.community)
    record_event(kind=AuditEvent.Kind.DOWNLOAD, request=request, rows=len(roster), what="offline_roster")
    response = JsonResponse({"activity": activity.pk, "cadres": roster})
    response["Cache-Control"] = "private, no-store"  # kept by the service worker only, dropped at logout
    return response


@require_POST
def sign_in_sync(request, pk):
    """The taps a phone stored without signal, sent as one JSON list; the answer says what each came to."""
    activity = _activity(request, pk)
    try:
        sent = json.loads(request.body or b"{}").get("taps", [])
    except (ValueError, AttributeError):
        return HttpResponseBadRequest()
    if not isinstance(sent, list) or len(sent) > SYNC_BATCH_MAX:
        return HttpResponseBadRequest()
    taps, answers = [], []  # the phone matches answers to its taps by key, not by order
    for raw in sent:
        form = TapForm(raw if isinstance(raw, dict) else {})
        if not form.is_valid() or not form.cleaned_data["key"]:
            key = raw.get("key", "") if isinstance(raw, dict) else ""
            reasons = [message for name in ("walk_in_name",) for message in form.errors.get(name, [])]
            message = " ".join(reasons) or _("这条签到无法识别，请重新签到。")
            answers.append({"key": str(key)[:40], "status": SYNC_REFUSED, "message": message})
            continue
        taps.append(form.cleaned_data)
    answers += sync_sign_ins(activity=activity, taps=taps, by=request.user)
    return JsonResponse({"answers": answers, "signed": activity.sign_ins.count()})


@login_not_required  # the script itself reveals nobody; what it caches is fetched with the session
@never_cache
@require_GET
def service_worker(request):
    """The service worker, served under /worker/ so that it may keep the worker's sign-in pages."""
    assets = [static(name) for name in OFFLINE_ASSETS]
    version = hashlib.sha256(json.dumps(assets).encode()).hexdigest()[:12]  # new static files, new cache
    context = {"assets": json.dumps(assets), "version": version}
    response = render(request, "activities/sw.js", context, content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/worker/"
    return response
