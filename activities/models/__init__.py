"""What happens: activities and sign-ins, the three lists, and the time bank."""

from activities.models.core import (
    Activity,
    ActivityPhoto,
    ActivitySeries,
    RecordDraft,
    SignIn,
    _photo_path,
    _thumbnail_path,
)
from activities.models.followups import FollowUp
from activities.models.lists import Need, NeedChange, Project, Resource
from activities.models.rooms import RoomRequest
from activities.models.screens import ScreenGrant
from activities.models.timebank import Redemption, ServiceRecord

__all__ = [
    "Activity",
    "ActivityPhoto",
    "ActivitySeries",
    "FollowUp",
    "Need",
    "NeedChange",
    "Project",
    "RecordDraft",
    "Redemption",
    "Resource",
    "RoomRequest",
    "ScreenGrant",
    "ServiceRecord",
    "SignIn",
    "_photo_path",
    "_thumbnail_path",
]
