"""A realistic, deterministic demo district (and the large data set for benchmarks).

Everything is drawn from ``random.Random(seed)`` and dated relative to ``today``,
so one seed on one day always gives the same district. Rows are written with
``bulk_create`` in batches; a district already seeded is left as it is.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Role, StaffScope
from accounts.roles import sync_role_groups
from activities.absences import BRANCH_LIFE
from activities.models import Activity, FollowUp, SignIn
from cadres.models import (
    IN_PERSON_REASONS,
    Attendance,
    AttendanceExcuse,
    BranchMembership,
    Cadre,
    PartyBranch,
    Unit,
    pinyin_keys,
)
from cadres.models.units import kind_for
from cadres.parsers import make_id_number
from communities.models import Community, District, Street, Venue
from core.dates import month_start
from demo.approvals import build_approvals
from demo.care import build_care_and_lists
from demo.members import PLACES, build_unit_branches, lend_rooms

DEMO_PASSWORD = "Laoganbu@2026"  # printed by seed_demo; the command refuses production


@dataclass(frozen=True)
class Scale:
    districts: int
    streets_per_district: int
    communities_per_street: int
    cadres: int
    months_of_activities: int = 6


SCALES = {
    "tiny": Scale(districts=1, streets_per_district=2, communities_per_street=2, cadres=120, months_of_activities=2),
    "district": Scale(districts=1, streets_per_district=5, communities_per_street=8, cadres=3000),
    "city": Scale(districts=3, streets_per_district=4, communities_per_street=6, cadres=6000),
    "province": Scale(districts=10, streets_per_district=10, communities_per_street=20, cadres=150_000),
}

DISTRICTS = [
    ("370114", "章丘区"),
    ("370102", "历下区"),
    ("370103", "市中区"),
    ("370104", "槐荫区"),
    ("370105", "天桥区"),
    ("370112", "历城区"),
    ("370113", "长清区"),
    ("370115", "济阳区"),
    ("370116", "莱芜区"),
    ("370117", "钢城区"),
]
STREET_NAMES = [
    "明水街道",
    "双山街道",
    "枣园街道",
    "龙山街道",
    "埠村街道",
    "圣井街道",
    "普集街道",
    "绣惠街道",
    "相公庄街道",
    "文祖街道",
    "官庄街道",
    "高官寨街道",
    "白云湖街道",
    "宁家埠街道",
    "曹范街道",
    "垛庄镇",
    "黄河街道",
    "刁镇",
]
COMMUNITY_WORDS = [
    "桃花山",
    "瑞祥",
    "新世纪",
    "绣水",
    "东山",
    "西关",
    "南园",
    "北苑",
    "汇泉",
    "百脉",
    "清照",
    "明珠",
    "翠园",
    "福康",
    "阳光",
    "和谐",
    "锦屏",
    "龙泉",
    "凤凰",
    "文昌",
    "杨南",
    "山泉",
    "铁道",
    "汇丰",
    "御泉",
    "香园",
    "书院",
    "泉城",
    "华阳",
    "建设",
    "东岭",
    "西岭",
    "滨河",
    "湖畔",
    "金秋",
    "玉泉",
    "月宫",
    "胜利",
    "青年",
    "朝阳",
    "康宁",
    "长白",
    "鲍家",
    "土城",
    "河西",
    "三涧",
    "石河",
    "龙华",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN_CHARS = (
    "国建明华军平志伟德文秀英兰芳玉珍桂凤云海金成振兴永庆福广书立新光忠春秋红梅霞丽敏静洪学宝"
    "荣贵友祥瑞安宏胜利民强林松柏淑惠贞俊峰"
)
EMPLOYERS = [
    "区教育局",
    "区卫健局",
    "区财政局",
    "区人民医院",
    "区供销社",
    "区公安分局",
    "区人民法院",
    "区水利局",
    "区农业农村局",
    "明水中学",
    "区税务局",
    "区人社局",
    "区城管局",
]
POSITIONS = ["科员", "副科级", "正科级", "副处级", "正处级", "高级教师", "主任医师", "四级调研员", "一级主任科员"]
HEALTH = ["良好", "良好", "良好", "一般", "一般", "较差", "慢性病"]
LIVING = ["与配偶同住", "与配偶同住", "与子女同住", "独居", "空巢", "养老机构"]
HOBBIES = ["书画", "舞蹈", "门球", "乒乓球", "京剧", "太极拳", "摄影", "合唱", "钓鱼", "读书"]
ACTIVITY_TITLES = {
    Activity.Kind.ORGANISATIONAL_LIFE: ["支部组织生活会", "三会一课·党员大会", "民主评议党员"],
    Activity.Kind.PARTY_DAY: ["主题党日：重温入党誓词", "主题党日：学习党章", "主题党日：红色教育"],
    Activity.Kind.STUDY: ["学习党的二十大精神", "五老宣讲进社区", "形势政策报告会"],
    Activity.Kind.CULTURE_SPORTS: ["老干部书画展", "迎新春文艺演出", "门球友谊赛", "太极拳晨练"],
    Activity.Kind.VOLUNTEER: ["文明创城志愿服务", "关爱留守儿童", "社区环境整治"],
    Activity.Kind.SENIOR_UNIVERSITY: ["老年大学书法课", "老年大学智能手机课", "老年大学声乐课"],
    Activity.Kind.SECRETARY_APPOINTMENT: ["书记有约·集中学习日"],
    Activity.Kind.STUDY_AT_HOME: ["送学上门"],
    Activity.Kind.ONLINE: ["线上辅导：学习强国使用"],
}
# roughly the seeds' age profile: about 30% of retired cadres aged 75+
AGE_BANDS = [((56, 59), 4), ((60, 69), 40), ((70, 74), 26), ((75, 79), 13), ((80, 89), 14), ((90, 98), 3)]


def is_seeded() -> bool:
    """Whether a demo district is already in the database (its first street exists)."""
    return Street.objects.filter(code=_street_code(DISTRICTS[0][0], 0)).exists()


def _street_code(region: str, index: int) -> str:
    return f"{region}{index + 1:03d}"


class DemoBuilder:
    """Builds one demo data set; ``build()`` runs it in one transaction."""

    def __init__(self, *, scale: Scale, seed: int, today: datetime.date, batch_size: int = 2000):
        self.scale = scale
        self.seed = seed
        self.random = random.Random(seed)
        self.today = today
        self.excused_from: dict[int, datetime.date] = {}  # cadre → the first day the demo excused them
        self.batch_size = batch_size
        self.counts = {}

    @transaction.atomic
    def build(self):
        communities = self._streets_and_communities()
        venues = self._venues(communities)
        cadres = self._cadres(communities)
        branches = self._branches(communities, venues, cadres)
        unit_branches = build_unit_branches(self, cadres=cadres, venues=venues)
        volunteer_attendance = self._activities(communities, venues, branches, cadres)
        lend_rooms(self, branches=unit_branches, venues=venues)
        build_care_and_lists(
            self, communities=communities, cadres=cadres, branches=branches, volunteer_attendance=volunteer_attendance
        )
        build_approvals(self, communities=communities)
        return self.counts

    def _streets_and_communities(self):
        streets, communities = [], []
        used_names = set()
        for d in range(self.scale.districts):
            region, district_name = DISTRICTS[d % len(DISTRICTS)]
            district = District.objects.get_or_create(code=region, defaults={"name": district_name})[0]
            for s in range(self.scale.streets_per_district):
                base = STREET_NAMES[s % len(STREET_NAMES)]
                name = base if self.scale.districts == 1 else f"{district_name}{base}"
                streets.append(Street(name=name, code=_street_code(region, s), district=district))
        Street.objects.bulk_create(streets, batch_size=self.batch_size)
        for street in streets:
            for c in range(self.scale.communities_per_street):
                word = self.random.choice(COMMUNITY_WORDS)
                name = f"{word}社区"
                suffix = 2
                while name in used_names:
                    name = f"{word}{suffix}社区" if suffix < 10 else f"{word}{self.random.randint(10, 999)}社区"
                    suffix += 1
                used_names.add(name)
                communities.append(
                    Community(
                        name=name,
                        code=f"{street.code}{c + 1:03d}",
                        street=street,
                        kind=Community.Kind.VILLAGE if c % 7 == 6 else Community.Kind.COMMUNITY,
                        is_pilot=c < 2,
                        address=f"{street.name}{word}路{self.random.randint(1, 200)}号",
                    )
                )
        Community.objects.bulk_create(communities, batch_size=self.batch_size)
        self.counts.update(districts=self.scale.districts, streets=len(streets), communities=len(communities))
        return communities

    def _venues(self, communities):
        venues = []
        for community in communities:
            kinds = [Venue.Kind.PARTY_ROOM]
            kinds += self.random.sample(
                [Venue.Kind.SENIOR_UNIVERSITY, Venue.Kind.PRACTICE_STATION, Venue.Kind.THEATRE, Venue.Kind.OPEN_ROOM],
                k=self.random.randint(0, 2),
            )
            for kind in kinds:
                # most rooms meet the six haves; the rest lack one to three of them
                haves = {field: True for field in Venue.SIX_HAVES}
                if self.random.random() < 0.35:
                    for field in self.random.sample(Venue.SIX_HAVES, k=self.random.randint(1, 3)):
                        haves[field] = False
                venues.append(
                    Venue(
                        community=community,
                        name=f"{community.name.removesuffix('社区')}{Venue.Kind(kind).label}",
                        kind=kind,
                        capacity=self.random.choice([30, 40, 50, 60, 80, 120]),
                        coordinator_name=self._name(),
                        coordinator_phone=self._phone(),
                        **haves,
                    )
                )
        Venue.objects.bulk_create(venues, batch_size=self.batch_size)
        self.counts["venues"] = len(venues)
        by_community = {}
        for venue in venues:
            by_community.setdefault(venue.community_id, []).append(venue)
        return by_community

    def _name(self):
        given = "".join(self.random.choice(GIVEN_CHARS) for _ in range(self.random.choice([1, 2, 2, 2])))
        return self.random.choice(SURNAMES) + given

    def _phone(self):
        return f"1{self.random.choice('35789')}{self.random.randint(0, 9)}{self.random.randint(0, 99_999_999):08d}"

    def _birth_date(self):
        ((low, high),) = self.random.choices([band for band, _ in AGE_BANDS], weights=[w for _, w in AGE_BANDS])
        age = self.random.randint(low, high)
        return self.today - datetime.timedelta(days=age * 365 + self.random.randint(0, 364))

    def _cadres(self, communities):
        used_ids = set()
        batch, created = [], []
        known = {unit.name: unit for unit in Unit.objects.filter(name__in=EMPLOYERS)}
        Unit.objects.bulk_create([Unit(name=name, kind=kind_for(name)) for name in EMPLOYERS if name not in known])
        by_name = {unit.name: unit for unit in Unit.objects.filter(name__in=EMPLOYERS)}
        units = [by_name[name] for name in EMPLOYERS]  # in the list's order: the same seed, the same units
        self.counts["units"] = len(units)
        for index in range(self.scale.cadres):
            community = (
                communities[index % len(communities)] if index < len(communities) else self.random.choice(communities)
            )
            birth_date = self._birth_date()
            gender = self.random.choice("MMF")
            region = community.code[:6]
            while True:
                sequence = self.random.randint(0, 499) * 2 + (1 if gender == "M" else 0)
                number = make_id_number(region, birth_date, sequence)
                if number not in used_ids:
                    used_ids.add(number)
                    break
            age = (self.today - birth_date).days // 365
            is_member = self.random.random() < 0.68
            name = self._name()
            full, initials = pinyin_keys(name)
            retired_age = 55 if gender == "F" else 60
            lixiu = age >= 92 and self.random.random() < 0.5
            deceased = self.random.random() < 0.02
            batch.append(
                Cadre(
                    name=name,
                    name_pinyin=full,
                    name_initials=initials,
                    gender=gender,
                    birth_date=birth_date,
                    id_number=number,
                    community=community,
                    phone=self._phone(),
                    retirement_kind=Cadre.RetirementKind.LIXIU if lixiu else Cadre.RetirementKind.TUIXIU,
                    retired_on=birth_date.replace(year=birth_date.year + retired_age, day=1)
                    if age >= retired_age
                    else None,
                    former_unit=(former := self.random.choice(units)),
                    former_position=self.random.choice(POSITIONS),
                    managing_unit=former,
                    is_party_member=is_member,
                    joined_party_on=birth_date.replace(year=birth_date.year + self.random.randint(20, 35), day=1)
                    if is_member
                    else None,
                    membership_in_community=is_member and self.random.random() < 0.3,
                    health=self.random.choice(HEALTH),
                    living_situation=self.random.choice(LIVING),
                    hobbies="、".join(self.random.sample(HOBBIES, k=self.random.randint(0, 2))),
                    address=f"{community.address}{self.random.randint(1, 30)}号楼{self.random.randint(1, 6)}单元",
                    emergency_contact_name=self._name(),
                    emergency_contact_relation=self.random.choice(["配偶", "儿子", "女儿"]),
                    emergency_contact_phone=self._phone(),
                    deceased_on=self.today - datetime.timedelta(days=self.random.randint(1, 700)) if deceased else None,
                )
            )
            if len(batch) >= self.batch_size:
                created += Cadre.objects.bulk_create(batch)
                batch = []
        created += Cadre.objects.bulk_create(batch)
        self.counts["cadres"] = len(created)
        # a few live elsewhere (易地居住), dated: they are not counted as unregistered nor expected in the room
        self.living_elsewhere = {cadre.pk for cadre in created if self.random.random() < 0.04}
        AttendanceExcuse.objects.bulk_create(
            [self._excuse(pk, Attendance.LIVES_AWAY, place=self.random.choice(PLACES)) for pk in self.living_elsewhere],
            batch_size=self.batch_size,
        )
        return created

    def _excuse(self, cadre_id, reason, *, place=""):
        """An excuse in force since before the demo's first month, or (one in four) since a day within it."""
        first = _add_months(month_start(self.today), 1 - self.scale.months_of_activities)
        if self.random.random() < 0.25:
            starts_on = first + datetime.timedelta(days=self.random.randint(0, max((self.today - first).days, 0)))
        else:
            starts_on = first - datetime.timedelta(days=self.random.randint(1, 900))
        self.excused_from[cadre_id] = min(starts_on, self.excused_from.get(cadre_id, starts_on))
        return AttendanceExcuse(cadre_id=cadre_id, reason=reason, place=place, starts_on=starts_on)

    def _excused(self, cadre, day) -> bool:
        """Whether the demo made ``cadre`` excused on ``day`` (so they do not come)."""
        return cadre.pk in self.excused_from and self.excused_from[cadre.pk] <= day

    def _branches(self, communities, venues, cadres):
        held_members = {}
        for cadre in cadres:
            if cadre.is_party_member and cadre.membership_in_community and cadre.deceased_on is None:
                held_members.setdefault(cadre.community_id, []).append(cadre)
        branches, memberships = [], []
        for community in communities:
            members = held_members.get(community.pk, [])
            rooms = venues.get(community.pk, [])
            # 000: 3+ members held here should form a branch; leave some without one, as in life
            if len(members) >= 3 and self.random.random() < 0.8:
                branch = PartyBranch(
                    name=f"{community.name}离退休干部党支部",
                    community=community,
                    kind=PartyBranch.Kind.FORMAL,
                    unit=PartyBranch.Unit.BRANCH if len(members) >= 7 else PartyBranch.Unit.GROUP,
                    star_rating=self.random.choice([None, 3, 4, 5]),
                    venue=rooms[0] if rooms and self.random.random() < 0.85 else None,
                    secretary=members[0],
                    established_on=self.today.replace(year=self.today.year - self.random.randint(1, 8), day=1),
                )
                branches.append((branch, members, BranchMembership.Relation.HELD))
            if self.random.random() < 0.3:
                interest = self.random.choice(HOBBIES)
                branch = PartyBranch(
                    name=f"{community.name}{interest}功能型党小组",
                    community=community,
                    kind=PartyBranch.Kind.FUNCTIONAL,
                    unit=PartyBranch.Unit.GROUP,
                    venue=self.random.choice(rooms) if rooms and self.random.random() < 0.8 else None,
                )
                branches.append((branch, None, BranchMembership.Relation.FUNCTIONAL))
        PartyBranch.objects.bulk_create([branch for branch, _, _ in branches], batch_size=self.batch_size)
        party_members = {}
        for cadre in cadres:
            if cadre.is_party_member and cadre.deceased_on is None:
                party_members.setdefault(cadre.community_id, []).append(cadre)
        for branch, members, relation in branches:
            if members is None:
                pool = party_members.get(branch.community_id, [])
                members = self.random.sample(pool, k=min(len(pool), self.random.randint(3, 9)))
            for cadre in members:
                memberships.append(
                    BranchMembership(branch=branch, cadre=cadre, relation=relation, joined_on=branch.established_on)
                )
        BranchMembership.objects.bulk_create(memberships, batch_size=self.batch_size)
        self.counts.update(branches=len(branches), memberships=len(memberships))
        # 送学上门: a few members of each branch are bedridden or live away; they are followed up at home
        self.branch_members = {}
        for membership in memberships:
            self.branch_members.setdefault(membership.branch_id, []).append(membership.cadre)
        self.unable = {}
        for members in self.branch_members.values():
            for cadre in members:
                if cadre.pk not in self.unable and self.random.random() < 0.04:
                    self.unable[cadre.pk] = self.random.choice(IN_PERSON_REASONS)
        AttendanceExcuse.objects.bulk_create(
            [self._excuse(pk, reason) for pk, reason in self.unable.items()], batch_size=self.batch_size
        )
        self.counts["members_unable_to_attend"] = len(self.unable)
        by_community = {}
        for branch, _, _ in branches:
            by_community.setdefault(branch.community_id, []).append(branch)
        return by_community

    def _activities(self, communities, venues, branches, cadres):
        living = {}
        for cadre in cadres:
            if cadre.deceased_on is None:
                living.setdefault(cadre.community_id, []).append(cadre)
        tz = timezone.get_current_timezone()
        this_month = self.today.replace(day=1)
        months = [_add_months(this_month, -n) for n in range(self.scale.months_of_activities - 1, -1, -1)]
        months.append(_add_months(this_month, 1))
        activities, attendees = [], []
        for community in communities:
            rooms = venues.get(community.pk, [])
            community_branches = branches.get(community.pk, [])
            for month in months:
                days = self.random.sample(range(1, 25), k=self.random.randint(3, 6))
                plan = [(day, self.random.choice(list(ACTIVITY_TITLES))) for day in days]
                if month == this_month and self.today.day not in days and self.today.day != 25:
                    plan.append((self.today.day, Activity.Kind.STUDY))  # something to sign in to today
                if community_branches:
                    # 003: the monthly "secretary's appointment" study day on the 25th
                    plan.append((25, Activity.Kind.SECRETARY_APPOINTMENT))
                plan = [
                    (day, kind)
                    for day, kind in plan
                    if month.replace(day=day) <= self.today + datetime.timedelta(days=14)
                ]
                for day, kind in plan:
                    date = month.replace(day=day)
                    morning = self.random.random() < 0.6
                    start_time = datetime.time(9, 0) if morning else datetime.time(14, 30)
                    starts_at = datetime.datetime.combine(date, start_time, tzinfo=tz)
                    held = date < self.today
                    activity = Activity(
                        community=community,
                        venue=self.random.choice(rooms) if rooms else None,
                        kind=kind,
                        title=self.random.choice(ACTIVITY_TITLES[kind]),
                        starts_at=starts_at,
                        ends_at=starts_at + datetime.timedelta(hours=2),
                        status=Activity.Status.HELD if held else Activity.Status.PLANNED,
                        organiser_branch=self.random.choice(community_branches) if community_branches else None,
                        record="活动按计划开展，参加人员认真学习讨论，效果良好。" if held else "",
                    )
                    activities.append(activity)
                    if held and activity.organiser_branch is not None and kind in BRANCH_LIFE:
                        # the branch's own members come, most of them (the rest are followed up after)
                        members = self.branch_members.get(activity.organiser_branch.pk, [])
                        came = [
                            cadre for cadre in members if not self._excused(cadre, date) and self.random.random() < 0.8
                        ]
                        attendees.append((activity, came))
                    elif held:
                        pool = living.get(community.pk, [])
                        size = min(len(pool), self.random.randint(5, 25))
                        attendees.append((activity, self.random.sample(pool, k=size)))
        Activity.objects.bulk_create(activities, batch_size=self.batch_size)
        sign_ins = []
        for activity, people in attendees:
            for cadre in people:
                sign_ins.append(SignIn(activity=activity, cadre=cadre, method=SignIn.Method.WORKER))
            if self.random.random() < 0.3:
                sign_ins.append(SignIn(activity=activity, walk_in_name=self._name() + "（居民）"))
            if len(sign_ins) >= self.batch_size * 5:
                SignIn.objects.bulk_create(sign_ins, batch_size=self.batch_size)
                self.counts["sign_ins"] = self.counts.get("sign_ins", 0) + len(sign_ins)
                sign_ins = []
        SignIn.objects.bulk_create(sign_ins, batch_size=self.batch_size)
        self.counts["sign_ins"] = self.counts.get("sign_ins", 0) + len(sign_ins)
        self.counts["activities"] = len(activities)
        self._follow_ups(attendees, this_month)
        return [(activity, people) for activity, people in attendees if activity.kind == Activity.Kind.VOLUNTEER]

    def _follow_ups(self, attendees, this_month):
        """Most absences of past months were followed up (送学上门, phone, online); this month's fewer."""
        follow_ups = []
        for activity, people in attendees:
            if activity.organiser_branch is None or activity.kind not in BRANCH_LIFE:
                continue
            came = {cadre.pk for cadre in people}
            day = timezone.localtime(activity.starts_at).date()
            share = 0.4 if day >= this_month else 0.85
            for cadre in self.branch_members.get(activity.organiser_branch.pk, []):
                if cadre.pk in came or self.random.random() >= share:
                    continue
                done_on = min(day + datetime.timedelta(days=self.random.randint(1, 6)), self.today)
                how = FollowUp.How.AT_HOME if self.unable.get(cadre.pk) == Attendance.BEDRIDDEN else None
                follow_ups.append(
                    FollowUp(
                        activity=activity,
                        cadre=cadre,
                        how=how or self.random.choice(FollowUp.How.values),
                        done_on=done_on,
                        note=self.random.choice(["送去学习材料并讲解", "电话传达会议精神", "微信群转发学习视频"]),
                    )
                )
        FollowUp.objects.bulk_create(follow_ups, batch_size=self.batch_size)
        self.counts["follow_ups"] = len(follow_ups)


def _add_months(date: datetime.date, months: int) -> datetime.date:
    index = date.year * 12 + date.month - 1 + months
    return date.replace(year=index // 12, month=index % 12 + 1)


DEMO_ACCOUNTS = [
    ("sysadmin", Role.SYSADMIN, StaffScope.Level.CITY, True),
    ("bureau", Role.BUREAU, StaffScope.Level.DISTRICT, True),
    ("auditor", Role.AUDITOR, StaffScope.Level.CITY, True),
    ("street", Role.STREET, StaffScope.Level.STREET, True),
    ("community", Role.COMMUNITY, StaffScope.Level.COMMUNITY, False),
    ("leader", Role.LEADER, StaffScope.Level.DISTRICT, False),
    ("unit", Role.UNIT, StaffScope.Level.UNIT, False),
]
# only where the installation holds more than one district
CITY_ACCOUNTS = [("city", Role.LEADER, StaffScope.Level.CITY, False)]


def ensure_role_groups():
    """The role groups with their permissions (idempotent)."""
    sync_role_groups(Group, Permission)


@transaction.atomic
def ensure_demo_accounts(*, password: str = DEMO_PASSWORD):
    """One account per role, scoped to the first district, its first street and community, and the unit with
    the most retirees living in that district; the city's leader where there is a city."""
    ensure_role_groups()
    district = District.objects.order_by("code").first()
    street = Street.objects.filter(district=district).order_by("code").first()
    community = Community.objects.filter(street=street).order_by("code").first()
    unit = (
        Unit.objects.annotate(n=Count("retirees", filter=Q(retirees__community__street__district=district)))
        .order_by("-n", "name")
        .first()
    )
    User = get_user_model()
    accounts = []
    wanted = DEMO_ACCOUNTS + (CITY_ACCOUNTS if District.objects.count() > 1 else [])
    places = {StaffScope.Level.DISTRICT: district, StaffScope.Level.UNIT: unit}
    for username, role, level, is_staff in wanted:
        if level in places and places[level] is None:
            continue  # no district or no unit yet: the account waits for the data
        user, _ = User.objects.get_or_create(username=username)
        user.is_staff = is_staff
        user.is_active = True
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=role.value)])
        StaffScope.objects.update_or_create(
            user=user,
            defaults={
                "level": level,
                "district": district if level == StaffScope.Level.DISTRICT else None,
                "street": street if level == StaffScope.Level.STREET else None,
                "community": community if level == StaffScope.Level.COMMUNITY else None,
                "unit": unit if level == StaffScope.Level.UNIT else None,
            },
        )
        accounts.append((username, role.label, level))
    return accounts
