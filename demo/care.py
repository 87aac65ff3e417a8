"""The demo district's groups, talents, care, three lists and time bank (part of ``DemoBuilder``)."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model

from activities.models import Need, NeedChange, Project, Redemption, Resource, ServiceRecord
from activities.models.timebank import points_for
from cadres.models import (
    CareCase,
    Group,
    GroupMembership,
    LeaderLink,
    ServiceCategory,
    Talent,
    TalentCategory,
    Visit,
    VisitCampaign,
)
from cadres.models.care import CARE_REASONS, VisitInterval

INTEREST_GROUPS = ["书画", "舞蹈", "门球", "乒乓球", "京剧", "合唱", "太极拳", "摄影"]
VOLUNTEER_TEAMS = [
    ("五老宣讲团", ServiceCategory.THEORY),
    ("文艺宣传队", ServiceCategory.CULTURE),
    ("健康关爱队", ServiceCategory.HEALTH),
    ("邻里帮帮团", ServiceCategory.LIFE_CARE),
    ("关心下一代工作组", ServiceCategory.NEXT_GENERATION),
]
SPECIALTIES = {
    TalentCategory.HELP_BUSINESS: ["企业管理咨询", "财务审计", "政策解读"],
    TalentCategory.THEORY: ["党史宣讲", "理论辅导", "形势政策宣讲"],
    TalentCategory.RURAL: ["果树栽培", "农技推广", "乡村规划"],
    TalentCategory.GOVERNANCE: ["矛盾调解", "法律咨询", "物业协调"],
    TalentCategory.CULTURE: ["书法教学", "声乐辅导", "摄影讲座", "智能手机教学"],
    TalentCategory.ECOLOGY: ["垃圾分类宣传", "河道巡护", "园林养护"],
    TalentCategory.NEXT_GENERATION: ["课后辅导", "红色故事讲述", "青少年心理疏导"],
}
RESOURCES = [
    (Resource.Kind.ROOM, ServiceCategory.CULTURE, "多功能活动室", "社区党群服务中心"),
    (Resource.Kind.SERVICE, ServiceCategory.HEALTH, "每月义诊", "社区卫生服务站"),
    (Resource.Kind.SERVICE, ServiceCategory.LIFE_CARE, "助餐送餐", "社区长者食堂"),
    (Resource.Kind.SKILL, ServiceCategory.LEGAL, "法律咨询", "驻区律师事务所"),
    (Resource.Kind.FUNDS, ServiceCategory.OTHER, "社区公益基金", "街道办事处"),
    (Resource.Kind.GOODS, ServiceCategory.LIFE_CARE, "轮椅与助行器借用", "爱心企业"),
]
NEEDS = [
    ("上门理发", ServiceCategory.LIFE_CARE),
    ("智能手机使用辅导", ServiceCategory.CULTURE),
    ("定期测量血压", ServiceCategory.HEALTH),
    ("房屋漏水维修协调", ServiceCategory.GOVERNANCE),
    ("赡养纠纷法律咨询", ServiceCategory.LEGAL),
    ("孙辈课后辅导", ServiceCategory.NEXT_GENERATION),
    ("为社区青年讲党课", ServiceCategory.THEORY),
    ("楼道杂物清理", ServiceCategory.ECOLOGY),
]
REDEEMABLE = [("大米一袋", 50), ("理发一次", 20), ("体检套餐", 120), ("食用油一桶", 60)]


def build_care_and_lists(builder, *, communities, cadres, branches, volunteer_attendance):
    """Groups, talents, care cases with visits, resources, needs, projects and time-bank entries."""
    rng, today = builder.random, builder.today
    clerk, _ = get_user_model().objects.get_or_create(username="bureau")  # the demo's recorder
    living = {}
    for cadre in cadres:
        if cadre.deceased_on is None:
            living.setdefault(cadre.community_id, []).append(cadre)

    groups, group_members, talents = [], [], []
    for community in communities:
        pool = living.get(community.pk, [])
        if len(pool) < 6:
            continue
        for hobby in rng.sample(INTEREST_GROUPS, k=2):
            groups.append(
                (
                    Group(
                        name=f"{hobby}队",
                        kind=Group.Kind.INTEREST,
                        community=community,
                        specialty=hobby,
                        leader=rng.choice(pool),
                    ),
                    pool,
                )
            )
        team, category = rng.choice(VOLUNTEER_TEAMS)
        groups.append(
            (
                Group(
                    name=team,
                    kind=Group.Kind.VOLUNTEER,
                    community=community,
                    category=category,
                    specialty=category.label,
                    leader=rng.choice(pool),
                ),
                pool,
            )
        )
        for cadre in rng.sample(pool, k=max(1, len(pool) // 12)):
            category = rng.choice(list(TalentCategory))
            talents.append(
                Talent(
                    cadre=cadre,
                    category=category,
                    specialty=rng.choice(SPECIALTIES[category]),
                    description=f"可提供{rng.choice(SPECIALTIES[category])}服务",
                    registered_on=today - datetime.timedelta(days=rng.randint(30, 900)),
                )
            )
    Group.objects.bulk_create([group for group, _ in groups])
    for group, pool in groups:
        members = rng.sample(pool, k=min(len(pool), rng.randint(5, 15)))
        if group.leader not in members:
            members.append(group.leader)
        for cadre in members:
            role = GroupMembership.Role.LEADER if cadre == group.leader else GroupMembership.Role.MEMBER
            group_members.append(GroupMembership(group=group, cadre=cadre, role=role))
    GroupMembership.objects.bulk_create(group_members, batch_size=builder.batch_size)
    Talent.objects.bulk_create(talents, batch_size=builder.batch_size)

    # care: about 4% of living cadres, older ones more often; visits every interval, some late
    cases, visits, links = [], [], []
    # the oldest living cadre is always followed, so even the smallest demo has a care case to show
    oldest = min((cadre for pool in living.values() for cadre in pool), key=lambda c: c.birth_date, default=None)
    for pool in living.values():
        for cadre in pool:
            age = (today - cadre.birth_date).days // 365
            if cadre is oldest or rng.random() < (0.02 if age < 80 else 0.08):
                reasons = rng.sample([field for field, _ in CARE_REASONS], k=rng.choice([1, 1, 2]))
                interval = rng.choice(
                    [VisitInterval.FORTNIGHTLY, VisitInterval.MONTHLY, VisitInterval.MONTHLY, VisitInterval.QUARTERLY]
                )
                case = CareCase(
                    cadre=cadre,
                    visit_interval_days=interval,
                    responsible=builder._name(),
                    opened_on=today - datetime.timedelta(days=rng.randint(60, 400)),
                    **{field: True for field in reasons},
                )
                cases.append(case)
            if not links or rng.random() < 0.03:  # the demo always shows one
                links.append(
                    LeaderLink(
                        leader_name=builder._name(),
                        leader_post=rng.choice(
                            ["区委常委、组织部部长", "区委老干部局局长", "区人大常委会副主任", "区政府副区长"]
                        ),
                        cadre=cadre,
                        since=today.replace(month=1, day=1),
                    )
                )
    CareCase.objects.bulk_create(cases, batch_size=builder.batch_size)
    LeaderLink.objects.bulk_create(links, batch_size=builder.batch_size)
    for case in cases:
        day = case.opened_on
        while True:
            day += datetime.timedelta(days=case.visit_interval_days + rng.randint(-5, 12))
            if day > today:
                break
            visits.append(
                Visit(
                    cadre=case.cadre,
                    care_case=case,
                    visited_on=day,
                    visitors=builder._name(),
                    kind=rng.choice([Visit.Kind.ROUTINE, Visit.Kind.ROUTINE, Visit.Kind.PHONE]),
                    summary="身体状况平稳，生活基本能自理。",
                    recorded_by=clerk,
                )
            )
    new_year = today.replace(month=1, day=1)
    campaign = VisitCampaign.objects.create(
        name=f"{new_year.year}年春节走访慰问",
        starts_on=new_year + datetime.timedelta(days=10),
        ends_on=new_year + datetime.timedelta(days=40),
        min_age=80,
        created_by=clerk,
    )
    if campaign.starts_on <= today:
        for pool in living.values():
            for cadre in pool:
                if (campaign.starts_on - cadre.birth_date).days // 365 >= 80 and rng.random() < 0.85:
                    day = campaign.starts_on + datetime.timedelta(days=rng.randint(0, 25))
                    if day <= today:
                        visits.append(
                            Visit(
                                cadre=cadre,
                                campaign=campaign,
                                visited_on=day,
                                kind=Visit.Kind.HOLIDAY,
                                visitors=builder._name(),
                                recorded_by=clerk,
                            )
                        )
    Visit.objects.bulk_create(visits, batch_size=builder.batch_size)

    # the three lists
    resources, needs, changes = [], [], []
    for community in communities:
        for kind, category, name, provider in rng.sample(RESOURCES, k=rng.randint(2, 4)):
            resources.append(Resource(community=community, kind=kind, category=category, name=name, provider=provider))
        pool = living.get(community.pk, [])
        for _n in range(rng.randint(3, 8)):
            title, category = rng.choice(NEEDS)
            raised = today - datetime.timedelta(days=rng.randint(1, 170))
            need = Need(
                community=community,
                cadre=rng.choice(pool) if pool and rng.random() < 0.7 else None,
                title=title,
                category=category,
                raised_on=raised,
                raised_by=clerk,
                urgency=rng.choice([Need.Urgency.NORMAL, Need.Urgency.URGENT]),
            )
            steps = [("", Need.Status.OPEN, raised)]
            fate = rng.random()
            if fate < 0.75:
                need.matched_on = min(today, raised + datetime.timedelta(days=rng.randint(0, 7)))
                need.status, need.taken_by_name = Need.Status.MATCHED, rng.choice(RESOURCES)[3]
                steps.append((Need.Status.OPEN, Need.Status.MATCHED, need.matched_on))
                if fate < 0.6:
                    need.resolved_on = min(today, need.matched_on + datetime.timedelta(days=rng.randint(1, 20)))
                    need.status, need.outcome = Need.Status.RESOLVED, "已办结，老同志满意。"
                    steps.append((Need.Status.MATCHED, Need.Status.RESOLVED, need.resolved_on))
            elif fate < 0.8:
                need.closed_on, need.status = min(today, raised + datetime.timedelta(days=3)), Need.Status.CLOSED
                need.outcome = "需求已由家属解决。"
                steps.append((Need.Status.OPEN, Need.Status.CLOSED, need.closed_on))
            needs.append(need)
            changes.append((need, steps))
    Resource.objects.bulk_create(resources, batch_size=builder.batch_size)
    Need.objects.bulk_create(needs, batch_size=builder.batch_size)
    NeedChange.objects.bulk_create(
        [
            NeedChange(need=need, from_status=old, to_status=new, on=day, by=clerk)
            for need, steps in changes
            for old, new, day in steps
        ],
        batch_size=builder.batch_size,
    )
    projects = []
    for community in communities:
        community_branches = branches.get(community.pk, [])
        if community_branches and (not projects or rng.random() < 0.6):  # the demo always shows one
            projects.append(
                Project(
                    community=community,
                    title=f"{community.name}“银龄红色宣讲”共建项目",
                    category=ServiceCategory.THEORY,
                    status=Project.Status.IN_PROGRESS,
                    claimed_by_branch=community_branches[0],
                    claimed_on=today.replace(day=1),
                    progress=rng.choice([20, 40, 60, 80]),
                )
            )
    Project.objects.bulk_create(projects)
    by_community = {}
    for need in needs:
        by_community.setdefault(need.community_id, []).append(need)
    for project in projects:
        project.needs.set(
            [n for n in by_community.get(project.community_id, []) if n.category == ServiceCategory.THEORY][:3]
        )

    # time bank: volunteer activities credited, some points exchanged
    records = []
    for activity, people in volunteer_attendance:
        hours = Decimal((activity.ends_at - activity.starts_at).total_seconds() / 3600).quantize(Decimal("0.1"))
        for cadre in people:
            records.append(
                ServiceRecord(
                    cadre=cadre,
                    served_on=activity.starts_at.date(),
                    hours=hours,
                    points=points_for(hours),
                    description=activity.title,
                    activity=activity,
                    verified_by=clerk,
                )
            )
    ServiceRecord.objects.bulk_create(records, batch_size=builder.batch_size)
    earned = {}
    for record in records:
        earned[record.cadre] = earned.get(record.cadre, 0) + record.points
    redemptions = []
    for cadre, points in sorted(earned.items(), key=lambda item: item[0].pk):
        item, cost = rng.choice(REDEEMABLE)
        if points >= cost and rng.random() < 0.4:
            redemptions.append(
                Redemption(
                    cadre=cadre,
                    points=cost,
                    item=item,
                    recorded_by=clerk,
                    redeemed_on=today - datetime.timedelta(days=rng.randint(0, 60)),
                )
            )
    Redemption.objects.bulk_create(redemptions, batch_size=builder.batch_size)
    builder.counts.update(
        groups=len(groups),
        talents=len(talents),
        care_cases=len(cases),
        visits=len(visits),
        needs=len(needs),
        resources=len(resources),
        projects=len(projects),
        service_records=len(records),
        redemptions=len(redemptions),
    )
