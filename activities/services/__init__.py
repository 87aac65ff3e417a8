"""Writes of the activities app, one module a topic; every screen, command and job calls these."""

from activities.services.followups import record_follow_up
from activities.services.needs import (
    move_need,
    raise_need,
    record_visit_with_need,
    suggestions_for,
)
from activities.services.schedule import (
    cancel_activity,
    check_sign_in,
    check_venue_free,
    create_series,
    record_sign_in,
    restore_activity,
    save_activity,
    save_record,
    series_dates,
    sync_sign_ins,
    undo_sign_in,
    venue_clashes,
)
from activities.services.timebank import (
    balance_of,
    credit_volunteer_activity,
    record_service,
    redeem_points,
    reverse_redemption,
    reverse_service,
)

__all__ = [
    "balance_of",
    "cancel_activity",
    "restore_activity",
    "check_sign_in",
    "check_venue_free",
    "create_series",
    "credit_volunteer_activity",
    "move_need",
    "raise_need",
    "record_follow_up",
    "record_service",
    "record_sign_in",
    "record_visit_with_need",
    "redeem_points",
    "reverse_redemption",
    "reverse_service",
    "save_activity",
    "save_record",
    "series_dates",
    "sync_sign_ins",
    "suggestions_for",
    "undo_sign_in",
    "venue_clashes",
]
