"""Every URL of the site, for every kind of visitor, answers as the matrix says.

Actors: an anonymous visitor, the four roles (bureau: district; street: street A;
community: community A; leader: district), a community worker of community B
("stranger") and a street administrator of street B ("other_street"). Object
URLs point at rows of community A, so the last two columns show scope at work.

A URL pattern missing from the matrix fails the test: add it, with its answers.
"""

import datetime
import re

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib import admin
from django.urls import URLResolver, get_resolver

from accounts.models import Role, StaffScope
from activities.models import FollowUp, Project, RoomRequest
from activities.photos import add_photo
from activities.self_sign_in import token_for
from activities.services import record_service, redeem_points
from activities.services.rooms import request_room
from cadres.members import register
from cadres.models import LeaderLink, MobileMember, RosterImport, VisitCampaign
from cadres.services import record_visit
from core.audit import record_event
from portal.ledgers import LedgerPlace, build_ledger
from portal.models import CompletenessRule, LedgerRun, ReportingSettings, ScoreCriterion
from tests.activities.test_photos import phone_photo
from tests.conftest import make_user
from tests.factories import (
    ActivityFactory,
    BranchMembershipFactory,
    CadreFactory,
    CareCaseFactory,
    CommunityFactory,
    GroupFactory,
    NeedFactory,
    PartyBranchFactory,
    ResourceFactory,
    SignInFactory,
    StreetFactory,
    TalentFactory,
    UnitFactory,
    VenueFactory,
    open_screen,
)

# every role: the unit's staff (the retirees of 区教育局, one of them in community A) and the city's bureau too
ACTORS = (
    "anon",
    "bureau",
    "street",
    "community",
    "leader",
    "stranger",
    "other_street",
    "sysadmin",
    "auditor",
    "unit",
    "city",
)

# Non-admin pages: pattern -> answers in ACTORS order.
PAGES = {
    "": (302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "worker/": (302, 403, 403, 200, 403, 200, 403, 403, 403, 403, 403),
    "dashboard/": (302, 200, 200, 403, 200, 403, 200, 403, 403, 403, 200),
    "healthz": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "i18n/setlang/": (302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "accounts/login/": (200, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "accounts/logout/": (302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "accounts/inactive/": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "accounts/signup/": (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "accounts/reauthenticate/": (302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "accounts/email/": (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "accounts/confirm-email/": (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "accounts/password/change/": (302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "accounts/password/set/": (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "accounts/password/reset/": (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "accounts/login/code/confirm/": (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "accounts/^confirm-email/(?P<key>[-:\\w]+)/$": (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "accounts/password/reset/key/done/": (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": (
        404,
        404,
        404,
        404,
        404,
        404,
        404,
        404,
        404,
        404,
        404,
    ),
    "accounts/password/reset/done/": (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "accounts/2fa/": (302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "accounts/2fa/authenticate/": (302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    # the bureau account holds recovery codes in this world; nobody else has a second factor
    "accounts/2fa/reauthenticate/": (302, 200, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "accounts/2fa/totp/activate/": (302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "accounts/2fa/totp/deactivate/": (302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "accounts/2fa/recovery-codes/": (302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "accounts/2fa/recovery-codes/generate/": (302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "accounts/2fa/recovery-codes/download/": (302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    # the admin's own pages
    "admin/": (302, 200, 200, 302, 302, 302, 200, 200, 200, 302, 200),
    "admin/login/": (302, 302, 302, 403, 403, 403, 302, 302, 302, 403, 302),
    "admin/logout/": (302, 405, 405, 302, 302, 302, 405, 405, 405, 302, 405),  # POST only
    "admin/password_change/": (302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "admin/password_change/done/": (302, 200, 200, 302, 302, 302, 200, 200, 200, 302, 200),
    "admin/autocomplete/": (302, 200, 200, 302, 302, 302, 200, 200, 403, 302, 200),
    "admin/jsi18n/": (302, 200, 200, 302, 302, 302, 200, 200, 200, 302, 200),
    "admin/r/<path:content_type_id>/<path:object_id>/": (302, 404, 404, 302, 302, 302, 404, 404, 404, 302, 404),
    "admin/^(?P<app_label>mfa|communities|auth|accounts|cadres|activities|portal)/$": (
        302,
        200,
        200,
        302,
        302,
        302,
        200,
        404,
        404,
        302,
        200,
    ),
    "admin/(?P<url>.*)$": (302, 404, 404, 302, 302, 302, 404, 404, 404, 302, 404),
    # the roster in and out; an import is seen only by the account that uploaded it (street)
    "admin/cadres/cadre/export/": (302, 200, 200, 302, 302, 302, 200, 403, 403, 302, 200),
    "admin/cadres/cadre/import/": (302, 200, 200, 302, 302, 302, 200, 403, 403, 302, 200),
    "admin/cadres/cadre/import/template/": (302, 200, 200, 302, 302, 302, 200, 403, 403, 302, 200),
    "admin/cadres/cadre/import/<int:pk>/": (302, 404, 200, 302, 302, 302, 404, 403, 403, 302, 404),
    "admin/cadres/cadre/import/<int:pk>/errors.xlsx": (302, 404, 200, 302, 302, 302, 404, 403, 403, 302, 404),
    # the worker's activity pages: community workers only, and only their own community's activity
    "worker/activities/new/": (302, 403, 403, 200, 403, 200, 403, 403, 403, 403, 403),
    "worker/series/new/": (302, 403, 403, 200, 403, 200, 403, 403, 403, 403, 403),
    # a month of a branch's sign-in books: anyone who may see the branch, in scope
    "worker/books/branch/<int:branch_pk>/<str:month>/": (302, 200, 200, 200, 403, 404, 404, 403, 403, 404, 200),
    "worker/venues/": (302, 403, 403, 200, 403, 200, 403, 403, 403, 403, 403),
    "worker/venues/<int:pk>/": (302, 403, 403, 200, 403, 404, 403, 403, 403, 403, 403),
    # cancelling asks first (a page), the cancellation and the restore are POSTs
    "worker/activities/<int:pk>/cancel/": (302, 403, 403, 200, 403, 404, 403, 403, 403, 403, 403),
    "worker/activities/<int:pk>/restore/": (302, 403, 403, 405, 403, 405, 403, 403, 403, 403, 403),
    "worker/activities/<int:pk>/edit/": (302, 403, 403, 200, 403, 404, 403, 403, 403, 403, 403),
    "q/<str:token>/": (
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
    ),  # QR self sign-in: no login, reveals nobody
    "worker/activities/<int:pk>/": (302, 403, 403, 200, 403, 404, 403, 403, 403, 403, 403),
    "worker/activities/<int:pk>/search/": (302, 403, 403, 200, 403, 404, 403, 403, 403, 403, 403),
    "worker/activities/<int:pk>/book/updates/": (302, 403, 403, 200, 403, 404, 403, 403, 403, 403, 403),
    # a cadre's page (一人一档): the community's workers, inside their community
    "worker/cadres/<int:pk>/": (302, 403, 403, 200, 403, 404, 403, 403, 403, 403, 403),
    "worker/activities/<int:pk>/print/": (302, 403, 403, 200, 403, 404, 403, 403, 403, 403, 403),
    # the room's screen: the liaison opens and takes back display grants; the screen itself needs no session
    "worker/activities/<int:pk>/screen/": (302, 403, 403, 200, 403, 404, 403, 403, 403, 403, 403),
    "screen/<str:secret>/": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "screen/<str:secret>/count/": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "worker/activities/<int:pk>/sign-in/": (
        302,
        403,
        403,
        405,
        403,
        405,
        403,
        403,
        403,
        403,
        403,
    ),  # POST only (tested apart)
    "worker/activities/<int:pk>/sign-ins/<int:sign_in_pk>/undo/": (
        302,
        403,
        403,
        405,
        403,
        405,
        403,
        403,
        403,
        403,
        403,
    ),
    # sign-in with no signal: the phone's roster (the community's workers, their community only), the queue
    # it sends (POST only), the service worker (a script that reveals nobody)
    "worker/activities/<int:pk>/roster/": (302, 403, 403, 200, 403, 404, 403, 403, 403, 403, 403),
    "worker/activities/<int:pk>/sign-ins/sync/": (302, 403, 403, 405, 403, 405, 403, 403, 403, 403, 403),
    "worker/sw.js": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "worker/activities/<int:pk>/record/": (302, 403, 403, 405, 403, 405, 403, 403, 403, 403, 403),
    "worker/activities/<int:pk>/record/draft/": (302, 403, 403, 405, 403, 405, 403, 403, 403, 403, 403),
    "worker/activities/<int:pk>/photos/": (302, 403, 403, 405, 403, 405, 403, 403, 403, 403, 403),
    # the branch rule list: leaders and administrators of the scope
    "dashboard/branch-rule/": (302, 200, 200, 403, 200, 403, 200, 403, 403, 403, 200),
    "dashboard/charts/<str:name>.xlsx": (302, 200, 200, 403, 200, 403, 200, 403, 403, 403, 200),
    "reminders/": (302, 200, 200, 403, 200, 403, 200, 403, 403, 403, 200),
    # ledgers: everyone with a scope lists their own; a download outside the scope is 404
    "ledgers/": (302, 200, 200, 200, 200, 200, 200, 403, 403, 403, 200),
    "ledgers/<int:pk>/download/": (
        302,
        200,
        200,
        200,
        403,
        404,
        404,
        403,
        403,
        403,
        200,
    ),  # the roster inside: staff only
    # a month's ledger up the hierarchy: staff and leaders of the scope (the list is scoped, the month 404s outside)
    "ledgers/approvals/": (302, 200, 200, 200, 200, 200, 200, 403, 403, 403, 200),
    "ledgers/approvals/<int:community_pk>/<str:month>/": (302, 200, 200, 200, 200, 404, 404, 403, 403, 403, 200),
    # the pilot scorecard: figures of a scope, like the dashboard
    "dashboard/scorecard/": (302, 200, 200, 403, 200, 403, 200, 403, 403, 403, 200),
    "dashboard/scorecard.xlsx": (302, 200, 200, 403, 200, 403, 200, 403, 403, 403, 200),
    # one branch, one archive: anyone who may see the branch, in scope; leaders see figures only
    "worker/branches/<int:branch_pk>/archive/": (302, 200, 200, 200, 403, 404, 404, 403, 403, 404, 200),
    "worker/branches/<int:branch_pk>/archive.xlsx": (302, 200, 200, 200, 403, 404, 404, 403, 403, 404, 200),
    # needs, care, the time bank: community workers, their own community only
    "worker/activities/<int:pk>/credit-hours/": (302, 403, 403, 405, 403, 405, 403, 403, 403, 403, 403),
    "worker/cadres/pick/": (302, 403, 403, 200, 403, 200, 403, 403, 403, 403, 403),
    "worker/needs/": (302, 403, 403, 200, 403, 200, 403, 403, 403, 403, 403),
    "worker/needs/new/": (302, 403, 403, 200, 403, 200, 403, 403, 403, 403, 403),
    "worker/needs/<int:pk>/": (302, 403, 403, 200, 403, 404, 403, 403, 403, 403, 403),
    "worker/needs/<int:pk>/match/": (302, 403, 403, 405, 403, 405, 403, 403, 403, 403, 403),
    "worker/needs/<int:pk>/<str:to>/": (302, 403, 403, 405, 403, 405, 403, 403, 403, 403, 403),
    "worker/care/": (302, 403, 403, 200, 403, 200, 403, 403, 403, 403, 403),
    # 送学上门: the absences of the community's branch activities and their follow-ups
    "worker/absences/": (302, 403, 403, 200, 403, 200, 403, 403, 403, 200, 403),
    "worker/absences/<int:pk>/<int:cadre_pk>/": (302, 403, 403, 200, 403, 404, 403, 403, 403, 404, 403),
    "worker/cadres/<int:pk>/attendance/": (302, 403, 403, 405, 403, 405, 403, 403, 403, 403, 403),
    "worker/resources/": (302, 403, 403, 200, 403, 200, 403, 403, 403, 403, 403),
    "worker/projects/": (302, 403, 403, 200, 403, 200, 403, 403, 403, 403, 403),
    "worker/talents/": (302, 403, 403, 200, 403, 200, 403, 403, 403, 403, 403),
    "worker/visits/new/": (302, 403, 403, 200, 403, 200, 403, 403, 403, 403, 403),
    "worker/timebank/": (302, 403, 403, 200, 403, 200, 403, 403, 403, 403, 403),
    # a person's paper statement: staff of the cadre's scope; leaders see figures only
    "worker/timebank/statement/<int:cadre_pk>/": (302, 200, 200, 200, 403, 404, 404, 403, 403, 403, 200),
    # photos: staff of the activity's scope; leaders see figures, not photos
    "worker/activities/<int:pk>/photos/<int:photo_pk>/<str:size>.jpg": (
        302,
        200,
        200,
        200,
        403,
        404,
        404,
        403,
        403,
        403,
        200,
    ),
    # party members where they live (居住地报到, 流动党员): the community's workers, their community only
    "worker/members/": (302, 403, 403, 200, 403, 200, 403, 403, 403, 403, 403),
    "worker/members/list/<str:name>/": (302, 403, 403, 200, 403, 200, 403, 403, 403, 403, 403),
    "worker/members/list/<str:name>.xlsx": (302, 403, 403, 200, 403, 200, 403, 403, 403, 403, 403),
    "worker/members/<int:pk>/register/": (302, 403, 403, 200, 403, 404, 403, 403, 403, 403, 403),
    "worker/members/mobile/new/": (302, 403, 403, 200, 403, 200, 403, 403, 403, 403, 403),
    "worker/members/mobile/<int:pk>/contact/": (302, 403, 403, 200, 403, 404, 403, 403, 403, 403, 403),
    "worker/members/mobile/<int:pk>/returned/": (302, 403, 403, 200, 403, 404, 403, 403, 403, 403, 403),
    # shared rooms: units ask (unit staff: tested apart), host communities answer (POST only)
    "worker/rooms/": (302, 403, 403, 200, 403, 200, 403, 403, 403, 200, 403),
    "worker/rooms/<int:venue_pk>/request/": (302, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403),
    "worker/rooms/requests/": (302, 403, 403, 200, 403, 200, 403, 403, 403, 200, 403),
    "worker/rooms/requests/<int:pk>/accept/": (302, 403, 403, 405, 403, 405, 403, 403, 403, 403, 403),
    "worker/rooms/requests/<int:pk>/decline/": (302, 403, 403, 405, 403, 405, 403, 403, 403, 403, 403),
    "worker/rooms/requests/<int:pk>/withdraw/": (302, 403, 403, 403, 403, 403, 403, 403, 403, 405, 403),
    "worker/unit/": (302, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403),
}

# Admin models: label -> {view: answers of (bureau, street, other_street)}. Everyone
# else is not staff: anonymous and non-staff visitors are sent to the login (302).
LIST, ADD, CHANGE, HISTORY, DELETE, OBJECT = "changelist", "add", "change", "history", "delete", "object"
# what only the city's bureau may do in the admin (the districts of the city are its to keep)
CITY_ONLY = {("communities.District", ADD): 200, ("communities.District", DELETE): 200}
VERSION = "history_version"  # one version of a record in simple_history's change history
ADMIN = {
    "auth.User": {
        LIST: (403, 403, 403, 200, 200),
        ADD: (403, 403, 403, 200, 403),
        CHANGE: (403, 403, 403, 200, 200),
        HISTORY: (403, 403, 403, 200, 200),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
        "password": (403, 403, 403, 200, 403),
    },
    "mfa.Authenticator": {
        LIST: (403, 403, 403, 403, 403),
        ADD: (403, 403, 403, 403, 403),
        CHANGE: (403, 403, 403, 403, 403),
        HISTORY: (403, 403, 403, 403, 403),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "communities.District": {
        LIST: (200, 200, 200, 200, 403),
        ADD: (403, 403, 403, 403, 403),
        CHANGE: (200, 200, 200, 200, 403),
        HISTORY: (200, 200, 200, 200, 403),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "communities.Street": {
        LIST: (200, 200, 200, 200, 403),
        ADD: (200, 403, 403, 403, 403),
        CHANGE: (200, 200, 404, 200, 403),
        HISTORY: (200, 200, 404, 200, 403),
        DELETE: (200, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "communities.Community": {
        LIST: (200, 200, 200, 200, 403),
        ADD: (200, 403, 403, 403, 403),
        CHANGE: (200, 200, 404, 200, 403),
        HISTORY: (200, 200, 404, 200, 403),
        DELETE: (200, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "communities.Venue": {
        LIST: (200, 200, 200, 403, 403),
        ADD: (200, 403, 403, 403, 403),
        CHANGE: (200, 200, 404, 403, 403),
        HISTORY: (200, 200, 404, 403, 403),
        DELETE: (200, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "accounts.StaffScope": {
        LIST: (403, 403, 403, 200, 200),
        ADD: (403, 403, 403, 403, 403),
        CHANGE: (403, 403, 403, 200, 200),
        HISTORY: (403, 403, 403, 200, 200),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "communities.AuditEvent": {
        LIST: (403, 403, 403, 403, 200),
        ADD: (403, 403, 403, 403, 403),
        CHANGE: (403, 403, 403, 403, 200),
        HISTORY: (403, 403, 403, 403, 200),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "cadres.Cadre": {
        LIST: (200, 200, 200, 403, 403),
        ADD: (200, 200, 200, 403, 403),
        CHANGE: (200, 200, 404, 403, 403),
        VERSION: (403, 403, 404, 403, 200),
        HISTORY: (403, 403, 404, 403, 200),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    # 原单位: not personal data and not a community's; every staff role with the cadres app sees them all
    "cadres.Unit": {
        LIST: (200, 200, 200, 403, 403),
        ADD: (200, 200, 200, 403, 403),
        CHANGE: (200, 200, 200, 403, 403),
        HISTORY: (200, 200, 200, 403, 403),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "cadres.PartyBranch": {
        LIST: (200, 200, 200, 403, 403),
        ADD: (200, 200, 200, 403, 403),
        CHANGE: (200, 200, 404, 403, 403),
        VERSION: (403, 403, 404, 403, 200),
        HISTORY: (403, 403, 404, 403, 200),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "cadres.BranchMembership": {
        LIST: (200, 200, 200, 403, 403),
        ADD: (200, 200, 200, 403, 403),
        CHANGE: (200, 200, 404, 403, 403),
        VERSION: (403, 403, 404, 403, 200),
        HISTORY: (403, 403, 404, 403, 200),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "activities.Activity": {
        LIST: (200, 200, 200, 403, 403),
        ADD: (200, 200, 200, 403, 403),
        CHANGE: (200, 200, 404, 403, 403),
        VERSION: (403, 403, 404, 403, 200),
        HISTORY: (403, 403, 404, 403, 200),
        DELETE: (200, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "activities.SignIn": {
        LIST: (200, 200, 200, 403, 403),
        ADD: (200, 200, 200, 403, 403),
        CHANGE: (200, 200, 404, 403, 403),
        VERSION: (403, 403, 404, 403, 200),
        HISTORY: (403, 403, 404, 403, 200),
        DELETE: (200, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "cadres.Group": {
        LIST: (200, 200, 200, 403, 403),
        ADD: (200, 200, 200, 403, 403),
        CHANGE: (200, 200, 404, 403, 403),
        VERSION: (403, 403, 404, 403, 200),
        HISTORY: (403, 403, 404, 403, 200),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "cadres.Talent": {
        LIST: (200, 200, 200, 403, 403),
        ADD: (200, 200, 200, 403, 403),
        CHANGE: (200, 200, 404, 403, 403),
        VERSION: (403, 403, 404, 403, 200),
        HISTORY: (403, 403, 404, 403, 200),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    # a care case is opened for its reasons (health data): only who may see them opens one
    "cadres.CareCase": {
        LIST: (200, 200, 200, 403, 403),
        ADD: (200, 403, 403, 403, 403),
        CHANGE: (200, 200, 404, 403, 403),
        VERSION: (403, 403, 404, 403, 200),
        HISTORY: (403, 403, 404, 403, 200),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "cadres.Visit": {
        LIST: (200, 200, 200, 403, 403),
        ADD: (200, 200, 200, 403, 403),
        CHANGE: (200, 200, 404, 403, 403),
        VERSION: (403, 403, 404, 403, 200),
        HISTORY: (403, 403, 404, 403, 200),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "cadres.LeaderLink": {
        LIST: (200, 200, 200, 403, 403),
        ADD: (200, 200, 200, 403, 403),
        CHANGE: (200, 200, 404, 403, 403),
        VERSION: (403, 403, 404, 403, 200),
        HISTORY: (403, 403, 404, 403, 200),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    # campaigns are district-wide: set by the bureau, read by every administrator (progress is scoped)
    "cadres.VisitCampaign": {
        LIST: (200, 200, 200, 403, 403),
        ADD: (200, 403, 403, 403, 403),
        CHANGE: (200, 200, 200, 403, 403),
        HISTORY: (200, 200, 200, 403, 403),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "activities.Resource": {
        LIST: (200, 200, 200, 403, 403),
        ADD: (200, 200, 200, 403, 403),
        CHANGE: (200, 200, 404, 403, 403),
        VERSION: (403, 403, 404, 403, 200),
        HISTORY: (403, 403, 404, 403, 200),
        DELETE: (200, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "activities.Need": {
        LIST: (200, 200, 200, 403, 403),
        ADD: (200, 200, 200, 403, 403),
        CHANGE: (200, 200, 404, 403, 403),
        VERSION: (403, 403, 404, 403, 200),
        HISTORY: (403, 403, 404, 403, 200),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "activities.Project": {
        LIST: (200, 200, 200, 403, 403),
        ADD: (200, 200, 200, 403, 403),
        CHANGE: (200, 200, 404, 403, 403),
        VERSION: (403, 403, 404, 403, 200),
        HISTORY: (403, 403, 404, 403, 200),
        DELETE: (200, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    # the time bank is append-only: entries are added and read, never changed or deleted
    "activities.ServiceRecord": {
        LIST: (200, 200, 200, 403, 403),
        ADD: (200, 200, 200, 403, 403),
        CHANGE: (200, 200, 404, 403, 403),
        VERSION: (403, 403, 404, 403, 200),
        HISTORY: (403, 403, 404, 403, 200),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "activities.Redemption": {
        LIST: (200, 200, 200, 403, 403),
        ADD: (200, 200, 200, 403, 403),
        CHANGE: (200, 200, 404, 403, 403),
        VERSION: (403, 403, 404, 403, 200),
        HISTORY: (403, 403, 404, 403, 200),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    # 送学上门 records: written on the worker's absence list (one service), read here; a mistaken one deleted
    "activities.FollowUp": {
        LIST: (200, 200, 200, 403, 403),
        ADD: (403, 403, 403, 403, 403),
        CHANGE: (200, 200, 404, 403, 403),
        VERSION: (403, 403, 404, 403, 200),
        HISTORY: (403, 403, 404, 403, 200),
        DELETE: (200, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    # ledgers are built, never typed in or deleted; runs and checks are the bureau's
    "portal.LedgerReport": {
        LIST: (200, 200, 200, 403, 403),
        ADD: (403, 403, 403, 403, 403),
        CHANGE: (200, 200, 404, 403, 403),
        HISTORY: (200, 200, 404, 403, 403),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "portal.LedgerRun": {
        LIST: (200, 403, 403, 403, 403),
        ADD: (403, 403, 403, 403, 403),
        CHANGE: (200, 403, 403, 403, 403),
        HISTORY: (200, 403, 403, 403, 403),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
        "build": (200, 403, 403, 403, 403),
    },
    # written on the worker's pages (one service each), read and exported here
    "cadres.ResidenceRegistration": {
        LIST: (200, 200, 200, 403, 403),
        ADD: (403, 403, 403, 403, 403),
        CHANGE: (200, 200, 404, 403, 403),
        VERSION: (403, 403, 404, 403, 200),
        HISTORY: (403, 403, 404, 403, 200),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "cadres.MobileMember": {
        LIST: (200, 200, 200, 403, 403),
        ADD: (403, 403, 403, 403, 403),
        CHANGE: (200, 200, 404, 403, 403),
        VERSION: (403, 403, 404, 403, 200),
        HISTORY: (403, 403, 404, 403, 200),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "activities.RoomRequest": {
        LIST: (200, 200, 200, 403, 403),
        ADD: (403, 403, 403, 403, 403),
        CHANGE: (200, 200, 404, 403, 403),
        VERSION: (403, 403, 404, 403, 200),
        HISTORY: (403, 403, 404, 403, 200),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "portal.CompletenessRule": {
        LIST: (200, 403, 403, 403, 403),
        ADD: (403, 403, 403, 403, 403),
        CHANGE: (200, 403, 403, 403, 403),
        HISTORY: (200, 403, 403, 403, 403),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "portal.ReportingSettings": {
        LIST: (200, 403, 403, 403, 403),
        ADD: (403, 403, 403, 403, 403),
        CHANGE: (200, 403, 403, 403, 403),
        HISTORY: (200, 403, 403, 403, 403),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
    "portal.ScoreCriterion": {
        LIST: (200, 403, 403, 403, 403),
        ADD: (403, 403, 403, 403, 403),
        CHANGE: (200, 403, 403, 403, 403),
        HISTORY: (200, 403, 403, 403, 403),
        DELETE: (403, 403, 403, 403, 403),
        OBJECT: (302, 302, 302, 302, 302),
    },
}

ADMIN_VIEW = re.compile(
    r"^admin/(?P<app>\w+)/(?P<model>\w+)/"
    r"(?:(?P<object><path:object_id>|<id>|\^\(\[\^/\]\+\))/)?"
    r"(?:(?P<view>\w+)/)?(?P<version>\(\[\^/\]\+\)/\$)?$"
)


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def _site_patterns():
    return sorted(set(_walk(get_resolver().url_patterns)))


def _admin_expectation(pattern):
    match = ADMIN_VIEW.match(pattern)
    if not match:
        return None
    model = next(
        (m for m in admin.site._registry if (m._meta.app_label, m._meta.model_name) == match.group("app", "model")),
        None,
    )
    if model is None:
        return None
    views = ADMIN.get(model._meta.label)
    if views is None:
        return "missing"
    view = match["view"] or LIST
    if match["object"] and not match["view"]:
        view = OBJECT
    if match["version"]:
        view = VERSION
    if view not in views:
        return "missing"
    bureau, street, other_street, sysadmin, auditor = views[view]
    # the unit's staff have no admin (to its login, as the community's); the city's bureau reads it as the
    # district's, and alone adds and removes districts (CITY_ONLY)
    city = CITY_ONLY.get((model._meta.label, view), bureau)
    return model, (302, bureau, street, 302, 302, 302, other_street, sysadmin, auditor, 302, city)


def test_every_url_of_the_site_is_in_the_matrix():
    missing = [p for p in _site_patterns() if p not in PAGES and _admin_expectation(p) in (None, "missing")]
    assert not missing, f"add these URL patterns to the permission matrix: {missing}"


@pytest.fixture
def world(db):
    """Community A (street A) holds one of everything; street B and community B hold the other users."""
    street_a, street_b = StreetFactory(), StreetFactory()
    community_a = CommunityFactory(street=street_a)
    community_b = CommunityFactory(street=street_b)
    users = {
        "anon": None,
        "bureau": make_user(Role.BUREAU, username="alice"),
        "street": make_user(Role.STREET, street=street_a, username="bob"),
        "community": make_user(Role.COMMUNITY, community=community_a, username="carol"),
        "leader": make_user(Role.LEADER, username="dave"),
        "stranger": make_user(Role.COMMUNITY, community=community_b, username="charlie"),
        "other_street": make_user(Role.STREET, street=street_b, username="oscar"),
        "sysadmin": make_user(Role.SYSADMIN, username="sam"),
        "auditor": make_user(Role.AUDITOR, username="audrey"),
    }
    education = UnitFactory(name="区教育局")
    users["unit"] = make_user(Role.UNIT, unit=education, username="ursula")
    users["city"] = make_user(Role.BUREAU, city=True, username="cecilia")
    venue = VenueFactory(community=community_a)
    cadre = CadreFactory(community=community_a, former_unit=education)
    branch = PartyBranchFactory(community=community_a, venue=venue)
    # the community's own branch's study: its absences are the worker's to follow up
    activity = ActivityFactory(community=community_a, venue=venue, organiser_branch=branch)
    need = NeedFactory(community=community_a, cadre=cadre)
    talent = TalentFactory(cadre=cadre)
    objects = {
        "auth.User": users["community"],
        "mfa.Authenticator": RecoveryCodes.activate(users["bureau"]).instance,
        "communities.District": street_a.district,
        "communities.Street": street_a,
        "communities.Community": community_a,
        "communities.Venue": venue,
        "accounts.StaffScope": StaffScope.objects.get(user=users["community"]),
        "communities.AuditEvent": record_event(kind="login", user=users["bureau"]),
        "cadres.Cadre": cadre,
        "cadres.PartyBranch": branch,
        "cadres.Unit": education,
        "cadres.BranchMembership": BranchMembershipFactory(branch=branch, cadre=cadre),
        "activities.Activity": activity,
        "activities.SignIn": SignInFactory(activity=activity, cadre=cadre),
        "activities.ActivityPhoto": add_photo(activity=activity, upload=phone_photo(400, 300)),
        "cadres.Group": GroupFactory(community=community_a, leader=cadre),
        "cadres.Talent": talent,
        "cadres.CareCase": CareCaseFactory(cadre=cadre),
        "cadres.Visit": record_visit(cadre=cadre, visited_on=datetime.date(2026, 3, 1), visitors="李联络"),
        "cadres.VisitCampaign": VisitCampaign.objects.create(
            name="春节走访慰问", starts_on=datetime.date(2026, 1, 20), ends_on=datetime.date(2026, 2, 20)
        ),
        "cadres.LeaderLink": LeaderLink.objects.create(
            leader_name="王部长", leader_post="区委组织部部长", cadre=cadre, since=datetime.date(2026, 1, 1)
        ),
        "activities.Resource": ResourceFactory(community=community_a),
        "activities.FollowUp": FollowUp.objects.create(
            activity=activity, cadre=cadre, how="home", done_on=datetime.date(2026, 3, 1)
        ),
        "activities.Need": need,
        "activities.Project": Project.objects.create(community=community_a, title="银龄宣讲", category="theory"),
        "activities.ServiceRecord": record_service(
            cadre=cadre, served_on=datetime.date(2026, 3, 1), hours=2, description="助餐", verified_by=users["bureau"]
        ),
        "activities.Redemption": redeem_points(
            cadre=cadre, points=5, item="理发", on=datetime.date(2026, 3, 2), by=users["bureau"]
        ),
        "portal.LedgerReport": build_ledger(
            unit=LedgerPlace.of_community(community_a), month=datetime.date(2026, 10, 1)
        ),
        "portal.LedgerRun": LedgerRun.objects.create(
            kind="month", period_start=datetime.date(2026, 10, 1), trigger="command"
        ),
        "portal.CompletenessRule": CompletenessRule.objects.first(),
        "portal.ReportingSettings": ReportingSettings.current(),
        "portal.ScoreCriterion": ScoreCriterion.objects.first(),
        "cadres.ResidenceRegistration": register(cadre=cadre, on=datetime.date(2026, 3, 1)),
        "cadres.MobileMember": MobileMember.objects.create(
            cadre=cadre, place="广东省深圳市", contact="13812345678", left_on=datetime.date(2026, 1, 5)
        ),
        "activities.RoomRequest": request_room(
            request=RoomRequest(
                venue=venue,
                branch=PartyBranchFactory(community=community_a, owner=UnitFactory(name="区财政局")),
                title="主题党日",
                starts_at=activity.starts_at + datetime.timedelta(days=1),
                ends_at=activity.ends_at + datetime.timedelta(days=1),
            ),
            by=users["bureau"],
        ),
        "cadres.RosterImport": RosterImport.objects.create(
            file_name="花名册.xlsx",
            created_by=users["street"],
            status=RosterImport.Status.INVALID,
            errors=[[3, "身份证号码", "校验位不正确"]],
        ),
    }
    return users, objects


def _pk_owner(pattern):
    """Which object a page's <int:pk> names."""
    if pattern.startswith("worker/members/mobile/"):
        return "cadres.MobileMember"
    if pattern.startswith("worker/members/"):
        return "cadres.Cadre"
    if pattern.startswith("worker/rooms/requests/"):
        return "activities.RoomRequest"
    if pattern.startswith("worker/venues/"):
        return "communities.Venue"
    if pattern.startswith("worker/needs/"):
        return "activities.Need"
    if pattern.startswith("worker/cadres/"):
        return "cadres.Cadre"
    if pattern.startswith("ledgers/"):
        return "portal.LedgerReport"
    if pattern.startswith("worker/"):
        return "activities.Activity"
    return "cadres.RosterImport"


def _url_for(pattern, objects, model=None):
    obj = objects[model._meta.label] if model is not None else objects["cadres.Cadre"]
    values = {
        "<path:object_id>": str(obj.pk),
        "<id>": str(obj.pk),
        "<path:content_type_id>": "9999",
        "<int:pk>": str(objects[_pk_owner(pattern)].pk),
        "<int:sign_in_pk>": str(objects["activities.SignIn"].pk),
        "<str:token>": token_for(objects["activities.Activity"]),
        "<str:secret>": open_screen(objects["activities.Activity"]),
        "<int:photo_pk>": str(objects["activities.ActivityPhoto"].pk),
        "<str:size>": "thumb",
        "<int:branch_pk>": str(objects["cadres.PartyBranch"].pk),
        "<int:cadre_pk>": str(objects["cadres.Cadre"].pk),
        "<str:to>": "resolve",
        "<str:name>": "unregistered" if pattern.startswith("worker/members/") else "age_bands",
        "<int:venue_pk>": str(objects["communities.Venue"].pk),
        "<int:community_pk>": str(objects["communities.Community"].pk),
        "<str:month>": "2026-11",
        "^([^/]+)/history/([^/]+)/$": f"{obj.pk}/history/{_version_id(obj)}/",
        "(?P<key>[-:\\w]+)": "abc",
        "(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)": "1-abc",
        "(?P<app_label>mfa|communities|auth|accounts|cadres|activities|portal)": "cadres",
        "(?P<url>.*)": "no-such-page/",
    }
    url = pattern
    for placeholder, value in values.items():
        url = url.replace(placeholder, value)
    url = "/" + url.replace("^", "").replace("$", "")
    if url == "/admin/autocomplete/":
        url += "?app_label=cadres&model_name=cadre&field_name=community&term="
    return url


def _version_id(obj):
    history = getattr(obj, "history", None)
    return history.latest().history_id if history is not None else 0


def _observe(client, users, objects):
    observed, expected = {}, {}
    for pattern in _site_patterns():
        admin_expected = _admin_expectation(pattern)
        if pattern in PAGES:
            url, answers = _url_for(pattern, objects), PAGES[pattern]
        else:
            model, answers = admin_expected
            url = _url_for(pattern, objects, model)
        row = []
        for actor in ACTORS:
            client.logout()
            if users[actor] is not None:
                client.force_login(users[actor])
            row.append(client.get(url).status_code)
        observed[pattern], expected[pattern] = tuple(row), answers
    return observed, expected


def test_every_url_answers_every_visitor_as_the_matrix_says(client, world):
    users, objects = world
    observed, expected = _observe(client, users, objects)
    wrong = [
        f"{pattern!r}: expected {expected[pattern]}, got {observed[pattern]}"
        for pattern in observed
        if observed[pattern] != expected[pattern]
    ]
    assert not wrong, "answers differ from the matrix " + str(ACTORS) + ":\n" + "\n".join(wrong)
