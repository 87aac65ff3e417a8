"""One branch, one archive (一支部一档案): a branch's members, activities, sign-ins, records and photos for a period."""

import datetime
import io
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.drawing.image import Image as SheetImage

from activities.models import Activity, ActivityPhoto, SignIn
from cadres.models import BranchMembership
from core.dates import local_midnight, month_start, next_month
from core.privacy import age_by_month
from core.spreadsheets import add_sheet, new_workbook, to_bytes


@dataclass
class BranchArchive:
    branch: object
    start: datetime.date  # first day of the first month
    end: datetime.date  # first day after the last month
    members: list
    activities: list

    @property
    def sign_in_total(self):
        return sum(len(activity.book) for activity in self.activities)


def branch_archive(*, branch, first_month: datetime.date, last_month: datetime.date) -> BranchArchive:
    """Everything of a branch from ``first_month`` to ``last_month`` inclusive (four queries, whatever the size)."""
    start, end = month_start(first_month), next_month(last_month)
    # members at any time in the period: joined before its end (or date unknown), not left before its start
    members = list(
        BranchMembership.objects.filter(branch=branch)
        .exclude(joined_on__gte=end)
        .exclude(left_on__lt=start)
        .select_related("cadre")
        .order_by("relation", "cadre__name")
    )
    activities = list(
        Activity.objects.held()
        .filter(organiser_branch=branch)
        .between(local_midnight(start), local_midnight(end))
        .select_related("venue")
        .prefetch_related(
            Prefetch(
                "sign_ins", queryset=SignIn.objects.select_related("cadre").order_by("signed_at", "pk"), to_attr="book"
            ),
            Prefetch("photos", queryset=ActivityPhoto.objects.order_by("uploaded_at", "pk"), to_attr="pictures"),
        )
        .order_by("starts_at")
    )
    return BranchArchive(branch=branch, start=start, end=end, members=members, activities=activities)


def archive_workbook(archive: BranchArchive) -> bytes:
    """The archive as an .xlsx: overview, members, activities with records, sign-ins, photo thumbnails."""
    branch = archive.branch
    workbook = new_workbook()
    last_day = archive.end - datetime.timedelta(days=1)
    overview = [
        (_("支部名称"), branch.name),
        (_("所在社区"), branch.community.name),
        (_("类型"), f"{branch.get_kind_display()}·{branch.get_unit_display()}"),
        (_("书记/组长"), branch.secretary.name if branch.secretary_id else ""),
        (_("固定活动场所"), branch.venue.name if branch.venue_id else _("无")),
        (_("星级"), branch.star_rating or ""),
        (_("创建称号"), branch.get_honour_display()),
        (_("档案期间"), f"{archive.start:%Y-%m-%d} — {last_day:%Y-%m-%d}"),
        (_("党员人数"), len(archive.members)),
        (_("活动次数"), len(archive.activities)),
        (_("签到人次"), archive.sign_in_total),
    ]
    add_sheet(workbook, _("支部概况"), [_("项目"), _("内容")], overview, [18, 50])
    today = timezone.localdate()
    add_sheet(
        workbook,
        _("党员名册"),
        [_("序号"), _("姓名"), _("性别"), _("年龄"), _("关系"), _("加入时间"), _("离开时间")],
        [
            (
                n,
                m.cadre.name,
                m.cadre.get_gender_display(),
                age_by_month(m.cadre.birth_date, today),
                m.get_relation_display(),
                m.joined_on,
                m.left_on,
            )
            for n, m in enumerate(archive.members, start=1)
        ],
        [6, 12, 6, 6, 18, 12, 12],
    )
    add_sheet(
        workbook,
        _("活动与写实"),
        [_("日期"), _("主题"), _("类型"), _("地点"), _("签到人数"), _("写实记录")],
        [
            (
                timezone.localtime(a.starts_at).strftime("%Y-%m-%d %H:%M"),
                a.title,
                a.get_kind_display(),
                a.venue.name if a.venue_id else "",
                len(a.book),
                a.record,
            )
            for a in archive.activities
        ],
        [17, 24, 12, 16, 9, 60],
    )
    add_sheet(
        workbook,
        _("签到明细"),
        [_("活动日期"), _("活动"), _("序号"), _("姓名"), _("签到方式"), _("签到时间")],
        [
            (
                timezone.localtime(a.starts_at).strftime("%Y-%m-%d"),
                a.title,
                n,
                s.person_name,
                s.get_method_display(),
                timezone.localtime(s.signed_at).strftime("%H:%M"),
            )
            for a in archive.activities
            for n, s in enumerate(a.book, start=1)
        ],
        [12, 24, 6, 14, 12, 10],
    )
    pictures = [(activity, picture) for activity in archive.activities for picture in activity.pictures]
    photos = add_sheet(
        workbook,
        _("活动照片"),
        [_("活动日期"), _("活动"), _("照片")],
        [(timezone.localtime(a.starts_at).strftime("%Y-%m-%d"), a.title, "") for a, _picture in pictures],
        [12, 24, 30],
        row_height=125,
    )
    for row, (_activity, picture) in enumerate(pictures, start=2):
        try:
            with picture.thumbnail.open("rb") as source:
                image = SheetImage(io.BytesIO(source.read()))
        except OSError:
            continue  # the file is gone: the row still names the activity
        scale = 160 / max(image.width, image.height)
        image.width, image.height = int(image.width * scale), int(image.height * scale)
        photos.add_image(image, f"C{row}")
    return to_bytes(workbook)
