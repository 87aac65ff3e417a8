"""People and their organisations: cadres, branches, groups and talents, care and visits."""

from cadres.models.care import CareCase, LeaderLink, Visit, VisitCampaign
from cadres.models.groups import Group, GroupMembership, ServiceCategory, Talent, TalentCategory
from cadres.models.members import MobileContact, MobileMember, ResidenceRegistration
from cadres.models.people import (
    IN_PERSON_REASONS,
    Attendance,
    AttendanceExcuse,
    BranchMembership,
    Cadre,
    Gender,
    PartyBranch,
    RosterImport,
    pinyin_keys,
)
from cadres.models.units import Unit

__all__ = [
    "IN_PERSON_REASONS",
    "Attendance",
    "AttendanceExcuse",
    "BranchMembership",
    "Cadre",
    "CareCase",
    "Gender",
    "Group",
    "GroupMembership",
    "LeaderLink",
    "MobileContact",
    "MobileMember",
    "PartyBranch",
    "ResidenceRegistration",
    "RosterImport",
    "ServiceCategory",
    "Talent",
    "TalentCategory",
    "Unit",
    "Visit",
    "VisitCampaign",
    "pinyin_keys",
]
