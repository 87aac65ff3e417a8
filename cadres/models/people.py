"""People and their organisations: cadres (离退休干部), party branches and membership."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin
from simple_history.models import HistoricalRecords

from cadres.parsers import clean_text, parse_id_number, validate_id_number
from communities.models import Community, Venue
from core import dates
from core.privacy import (
    HEALTH_PERMISSION,
    IDENTITY_PERMISSION,
    DigestField,
    EncryptedChar,
    EncryptedText,
    TailField,
    digest,
)
from core.scope import ScopedQuerySet


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


def pinyin_keys(name: str) -> tuple[str, str]:
    """Full pinyin and initials of a Chinese name: 张国伟 → ("zhangguowei", "zgw")."""
    syllables = lazy_pinyin(name, style=Style.NORMAL, errors=lambda chars: list(chars.lower()))
    full = "".join(syllables).lower()
    initials = "".join(s[0] for s in syllables if s).lower()
    return full, initials


def born_on_or_before_age(age: int, on: datetime.date) -> datetime.date:
    """The latest birth date of someone aged ``age`` or more on ``on`` (29 February counts from 1 March)."""
    try:
        return on.replace(year=on.year - age)
    except ValueError:  # on is 29 February and that year has none
        return on.replace(year=on.year - age, day=28)


def living_q(prefix: str = "") -> Q:
    """The one definition of "living" now: no date of death (a date of death is never in the future).

    ``prefix`` reaches the cadre through a relation ("cadre__"). ``Cadre.objects.living()`` is this.
    """
    return Q(**{f"{prefix}deceased_on__isnull": True})


def living_on_q(day: datetime.date, prefix: str = "") -> Q:
    """The one definition of "living on ``day``": no date of death, or one after that day.

    ``prefix`` reaches the cadre through a relation ("cadre__", "cadres__"). Every list, figure, ledger
    and campaign that asks who was alive on a date uses this (``Cadre.objects.living_on(day)``).
    """
    return Q(**{f"{prefix}deceased_on__isnull": True}) | Q(**{f"{prefix}deceased_on__gt": day})


class Attendance(models.TextChoices):
    """Why a member does not come to the branch's activities in person (an ``AttendanceExcuse``'s reason)."""

    BEDRIDDEN = "bedridden", _("卧床/行动不便")
    AWAY = "away", _("长期外出")
    LIVES_AWAY = "lives_away", _("易地居住")


# the reasons a member cannot come in person: at most one holds at a time (易地居住 may hold beside one)
IN_PERSON_REASONS = (Attendance.BEDRIDDEN, Attendance.AWAY)


class CadreQuerySet(ScopedQuerySet):
    community_path = "community"
    # a unit's staff see the cadres who retired from it or whom it now looks after, wherever they live
    unit_paths = ("former_unit", "managing_unit")

    def living(self):
        """Cadres with no date of death: the ones every list and figure counts."""
        return self.filter(living_q())

    def living_on(self, day: datetime.date):
        """Cadres alive on ``day`` (a past month's figures count those who died later)."""
        return self.filter(living_on_q(day))

    def party_members(self):
        return self.filter(is_party_member=True)

    def with_id_number(self, value):
        """The cadre with this ID number (any written form), found by its digest."""
        try:
            number = parse_id_number(value).number
        except ValidationError:
            return self.none()
        return self.filter(id_number_digest=digest(number))


class Cadre(models.Model):
    """A retired cadre (离退休干部) on the bureau's roster; never deleted, only marked deceased."""

    class RetirementKind(models.TextChoices):
        LIXIU = "lixiu", _("离休")
        TUIXIU = "tuixiu", _("退休")

    # roster fields (the template's columns, in its order)
    name = models.CharField(_("姓名"), max_length=50)
    # blank in forms: both are filled from the ID number when left empty (see clean())
    gender = models.CharField(_("性别"), max_length=1, choices=Gender, blank=True)
    birth_date = models.DateField(_("出生日期"), blank=True, validators=[dates.in_life])
    # encrypted at rest; found and kept unique through id_number_digest
    id_number = EncryptedChar(_("身份证号码"), max_length=18, validators=[validate_id_number])
    id_number_digest = DigestField(_("身份证号码摘要"), source="id_number", unique=True, null=True)
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="cadres", verbose_name=_("居住社区")
    )
    phone = EncryptedChar(_("联系电话"), max_length=20, blank=True)
    phone_tail = TailField(_("电话后四位"), source="phone")
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True, default="汉族")
    retirement_kind = models.CharField(
        _("离退休类别"), max_length=10, choices=RetirementKind, default=RetirementKind.TUIXIU
    )
    retired_on = models.DateField(_("离退休时间"), null=True, blank=True, validators=[dates.in_life])
    former_unit = models.ForeignKey(
        "cadres.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="retirees",
        verbose_name=_("原工作单位"),
    )
    former_position = models.CharField(_("原职务职级"), max_length=100, blank=True)
    is_party_member = models.BooleanField(_("是否中共党员"), default=False)
    joined_party_on = models.DateField(_("入党时间"), null=True, blank=True, validators=[dates.in_life])
    membership_in_community = models.BooleanField(
        _("组织关系是否在社区"), default=False, help_text=_("党组织关系转入居住社区的党员。")
    )
    # 一方隶属: a member whose organisational relation is with a party organisation outside the district
    # (its name); inside it, the home is a current 组织关系在本支部 membership or the community itself
    membership_elsewhere = models.CharField(
        _("组织关系所在（区外）"), max_length=100, blank=True, help_text=_("组织关系不在本区的党员填写所在党组织。")
    )
    health = EncryptedChar(_("健康状况"), max_length=100, blank=True)
    living_situation = models.CharField(_("居住情况"), max_length=100, blank=True)
    hobbies = models.CharField(_("兴趣爱好"), max_length=200, blank=True)
    specialties = models.CharField(_("专业特长"), max_length=200, blank=True)
    address = EncryptedChar(_("住址"), max_length=200, blank=True)
    notes = EncryptedText(_("备注"), blank=True)

    # what bureaus keep beside the roster
    managing_unit = models.ForeignKey(
        "cadres.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_cadres",
        verbose_name=_("现管单位"),
    )
    # 送学上门: bedridden, away or living elsewhere is dated (``AttendanceExcuse``), so a past month keeps its figures
    emergency_contact_name = models.CharField(_("紧急联系人"), max_length=50, blank=True)
    emergency_contact_relation = models.CharField(_("与本人关系"), max_length=20, blank=True)
    emergency_contact_phone = EncryptedChar(_("紧急联系人电话"), max_length=20, blank=True)
    deceased_on = models.DateField(_("去世日期"), null=True, blank=True, validators=[dates.in_life])

    # search keys for the worker's sign-in box (zgw / zhangguowei → 张国伟)
    name_pinyin = models.CharField(_("姓名全拼"), max_length=200, blank=True, editable=False)
    name_initials = models.CharField(_("姓名首字母"), max_length=50, blank=True, editable=False)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["name_pinyin", "name_initials", "updated_at"])
    objects = CadreQuerySet.as_manager()

    # who sees which personal field: the permission each needs in full (without it a role never filters or
    # searches by it), and how it reads without — masked as named in MASKED_FIELDS, else not at all
    # (core.privacy.field_view, README "Roles and what each sees"). The emergency contact's name and relation
    # are care details: whoever does care work (the health permission) reaches the family; the number is
    # identity data like the person's own.
    SENSITIVE_FIELDS = {
        **dict.fromkeys(
            ["id_number", "id_number_digest", "phone", "address", "birth_date", "emergency_contact_phone"],
            IDENTITY_PERMISSION,
        ),
        **dict.fromkeys(
            ["health", "notes", "living_situation", "emergency_contact_name", "emergency_contact_relation"],
            HEALTH_PERMISSION,
        ),
    }
    MASKED_FIELDS = {"id_number": "id", "phone": "phone", "emergency_contact_phone": "phone", "birth_date": "month"}

    class Meta:
        verbose_name = _("离退休干部")
        verbose_name_plural = _("离退休干部")
        ordering = ["community_id", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(gender__in=["M", "F"]),
                name="cadre_gender_valid",
                violation_error_message=_("性别只能是“男”或“女”。"),
            ),
            models.CheckConstraint(
                condition=Q(deceased_on__isnull=True) | Q(deceased_on__gte=models.F("birth_date")),
                name="cadre_deceased_after_birth",
                violation_error_message=_("去世日期不能早于出生日期。"),
            ),
            models.CheckConstraint(
                condition=Q(joined_party_on__isnull=True) | Q(is_party_member=True),
                name="cadre_party_date_only_for_members",
                violation_error_message=_("非党员不应填写入党时间。"),
            ),
        ]
        indexes = [
            # the community roster and the worker's sign-in list sort by name
            models.Index(fields=["community", "name"], name="cadre_community_name_idx"),
            # sign-in search by pinyin initials / full pinyin within a community
            models.Index(fields=["community", "name_initials"], name="cadre_community_initials_idx"),
            models.Index(fields=["community", "name_pinyin"], name="cadre_community_pinyin_idx"),
            # age bands and milestone birthdays
            models.Index(fields=["birth_date"], name="cadre_birth_date_idx"),
            models.Index(fields=["name"], name="cadre_name_idx"),
            # the worker's search by the last 4 digits of a phone
            models.Index(fields=["community", "phone_tail"], name="cadre_community_phone_tail_idx"),
            # the figures' roster counts (portal/figures.py: living, age bands, party members, the branch
            # rule) read only these columns: PostgreSQL answers them from the index alone (an index-only
            # scan of ~40 bytes a cadre instead of the ~450-byte rows), grouped by community in its order
            models.Index(
                fields=["community", "deceased_on", "birth_date", "is_party_member", "membership_in_community", "id"],
                name="cadre_figures_idx",
            ),
        ]
        permissions = [
            ("view_identity", _("可查看完整身份证号码和电话")),
            ("view_health", _("可查看健康与帮扶信息")),
        ]

    def __str__(self):
        return self.name

    def is_living_on(self, day: datetime.date) -> bool:
        """``living_on_q`` for this cadre, in Python (for a list already loaded)."""
        return self.deceased_on is None or self.deceased_on > day

    def refresh_search_keys(self):
        """Recompute the pinyin search keys from the name."""
        self.name_pinyin, self.name_initials = pinyin_keys(self.name)

    def refresh_derived_fields(self):
        """Recompute every value derived from another field (bulk_update runs no pre_save)."""
        self.refresh_search_keys()
        for name in ("id_number_digest", "phone_tail"):
            self._meta.get_field(name).pre_save(self, add=False)

    def clean(self):
        """Normalise the roster values and check them against the ID number."""
        self.name = clean_text(self.name)
        errors = {}
        if self.id_number:
            try:
                parsed = parse_id_number(self.id_number)
            except ValidationError as error:
                errors["id_number"] = error.messages
            else:
                self.id_number = parsed.number
                taken = Cadre.objects.filter(id_number_digest=digest(parsed.number)).exclude(pk=self.pk)
                if taken.exists():
                    errors["id_number"] = [_("该身份证号码已登记。")]
                if self.birth_date is None:
                    self.birth_date = parsed.birth_date
                elif self.birth_date != parsed.birth_date:
                    errors["birth_date"] = [_("出生日期与身份证号码不一致（号码中为%s）。") % parsed.birth_date]
                if not self.gender:
                    self.gender = parsed.gender
                elif self.gender != parsed.gender:
                    errors["gender"] = [_("性别与身份证号码不一致。")]
        if self.birth_date is None and "id_number" not in errors:
            errors["birth_date"] = [_("请填写出生日期。")]
        if not self.gender and "id_number" not in errors:
            errors["gender"] = [_("请填写性别。")]
        if self.membership_elsewhere and not self.is_party_member:
            errors.setdefault("membership_elsewhere", []).append(_("非党员不应填写组织关系。"))
        if self.joined_party_on and not self.is_party_member:
            errors.setdefault("joined_party_on", []).append(_("非党员不应填写入党时间。"))
        if self.deceased_on and self.birth_date and self.deceased_on < self.birth_date:
            errors.setdefault("deceased_on", []).append(_("去世日期不能早于出生日期。"))
        if errors:
            raise ValidationError(errors)
        self.refresh_search_keys()


class AttendanceExcuseQuerySet(models.QuerySet):
    def in_force_on(self, day):
        """Excuses that hold on ``day`` (a date, or an expression such as ``OuterRef("day")``): from
        ``starts_on`` up to, not including, ``ends_on``."""
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day), starts_on__lte=day)

    def open(self):
        """Excuses that still hold (no end yet)."""
        return self.filter(ends_on__isnull=True)


class AttendanceExcuse(models.Model):
    """Why a party member is not expected in the room, and from when to when (送学上门).

    A member bedridden, long away or living elsewhere (易地居住) is followed up at home and not counted in the
    attendance rate — on the days the excuse held, never before: a month's figures read the excuses in force
    on each activity's day (``activities.absences``), so marking someone today leaves a closed month as it was.
    Written only by ``cadres.services.mark_attendance`` / ``mark_lives_away``; the period is [starts_on, ends_on).
    """

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="excuses", verbose_name=_("党员"))
    reason = models.CharField(_("情况"), max_length=10, choices=Attendance)
    place = models.CharField(_("所在地"), max_length=100, blank=True)
    starts_on = models.DateField(_("开始日期"), validators=[dates.in_life])
    ends_on = models.DateField(_("结束日期"), null=True, blank=True, validators=[dates.in_life])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = AttendanceExcuseQuerySet.as_manager()

    # why (卧床, 外出) is a health fact, as the cadre's own health is (core.privacy.field_view)
    SENSITIVE_FIELDS = {"reason": HEALTH_PERMISSION}

    class Meta:
        verbose_name = _("参加组织生活情况")
        verbose_name_plural = _("参加组织生活情况")
        ordering = ["cadre_id", "-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=models.F("starts_on")),
                name="excuse_ends_after_start",
                violation_error_message=_("结束日期应晚于开始日期。"),
            ),
            models.UniqueConstraint(
                fields=["cadre"],
                condition=Q(ends_on__isnull=True, reason__in=["bedridden", "away"]),
                name="excuse_one_open_in_person",
                violation_error_message=_("这位党员已有一条未结束的卧床/外出情况。"),
            ),
            models.UniqueConstraint(
                fields=["cadre"],
                condition=Q(ends_on__isnull=True, reason="lives_away"),
                name="excuse_one_open_lives_away",
                violation_error_message=_("这位党员已有一条未结束的易地居住情况。"),
            ),
        ]
        indexes = [models.Index(fields=["cadre", "starts_on"], name="excuse_cadre_start_idx")]

    def __str__(self):
        end = f"{self.ends_on:%Y-%m-%d}" if self.ends_on else _("至今")
        return f"{self.cadre} · {self.get_reason_display()} · {self.starts_on:%Y-%m-%d}—{end}"

    def holds_on(self, day: datetime.date) -> bool:
        """``AttendanceExcuseQuerySet.in_force_on`` for this row, in Python (a test keeps the two equal)."""
        return self.starts_on <= day and (self.ends_on is None or self.ends_on > day)


class PartyBranchQuerySet(ScopedQuerySet):
    community_path = "community"
    unit_paths = ("owner",)

    def formal(self):
        return self.filter(kind=PartyBranch.Kind.FORMAL)

    def without_venue(self):
        return self.filter(venue__isnull=True)


class PartyBranch(models.Model):
    """A party branch or party group of retired cadres (党支部/党小组)."""

    class Kind(models.TextChoices):
        FORMAL = "formal", _("建制型")
        FUNCTIONAL = "functional", _("功能型")

    class Unit(models.TextChoices):
        BRANCH = "branch", _("党支部")
        GROUP = "group", _("党小组")

    class Honour(models.TextChoices):
        # 003: the star ratings and model titles branches are awarded
        SILVER_FIVE_STAR_MODEL = "silver_model", _("“银领五星”示范支部")
        SILVER_FIVE_STAR_STANDARD = "silver_standard", _("“银领五星”规范支部")
        THREE_STRONG_SIX_GOOD = "three_strong", _("“三强六好”示范党支部")

    name = models.CharField(_("名称"), max_length=100)
    # where the branch meets (its scope for the community and street); a unit's branch meets in a community too
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="branches", verbose_name=_("所在社区")
    )
    # 建制型支部 of an original unit: the organisational home of its retired members, wherever they live;
    # empty for a community's own branch
    owner = models.ForeignKey(
        "cadres.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="branches",
        verbose_name=_("所属单位"),
        help_text=_("原单位的离退休干部党支部填写；社区党支部留空。"),
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind)
    unit = models.CharField(_("组织形式"), max_length=10, choices=Unit, default=Unit.BRANCH)
    star_rating = models.PositiveSmallIntegerField(_("星级"), null=True, blank=True)
    honour = models.CharField(_("创建称号"), max_length=20, choices=Honour, blank=True)
    honoured_on = models.DateField(_("获评时间"), null=True, blank=True, validators=[dates.in_life])
    venue = models.ForeignKey(
        Venue,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="branches",
        verbose_name=_("固定活动场所"),
    )
    secretary = models.ForeignKey(
        Cadre, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("书记/组长")
    )
    established_on = models.DateField(_("成立时间"), null=True, blank=True, validators=[dates.in_life])

    history = HistoricalRecords()
    objects = PartyBranchQuerySet.as_manager()

    class Meta:
        verbose_name = _("党支部/党小组")
        verbose_name_plural = _("党支部/党小组")
        ordering = ["community_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="branch_unique_name_in_community"),
            models.CheckConstraint(
                condition=Q(star_rating__isnull=True) | Q(star_rating__gte=1, star_rating__lte=5),
                name="branch_star_rating_1_to_5",
                violation_error_message=_("星级应为1到5星。"),
            ),
        ]
        indexes = [models.Index(fields=["kind", "community"], name="branch_kind_community_idx")]

    def __str__(self):
        return self.name


class BranchMembershipQuerySet(ScopedQuerySet):
    community_path = "branch__community"
    unit_paths = ("branch__owner",)

    def current(self):
        return self.filter(left_on__isnull=True)


class BranchMembership(models.Model):
    """A cadre's place in a branch: membership held there, or taking part functionally."""

    class Relation(models.TextChoices):
        HELD = "held", _("组织关系在本支部")
        FUNCTIONAL = "functional", _("参加组织生活")

    branch = models.ForeignKey(
        PartyBranch, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("党支部/党小组")
    )
    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="branch_memberships", verbose_name=_("党员")
    )
    relation = models.CharField(_("关系"), max_length=12, choices=Relation, default=Relation.HELD)
    joined_on = models.DateField(_("加入时间"), null=True, blank=True, validators=[dates.in_life])
    left_on = models.DateField(_("离开时间"), null=True, blank=True, validators=[dates.in_life])

    history = HistoricalRecords()
    objects = BranchMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("支部成员")
        verbose_name_plural = _("支部成员")
        ordering = ["branch_id", "cadre__name"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "cadre"], name="membership_unique_cadre_in_branch"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(joined_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="membership_left_after_joined",
                violation_error_message=_("离开时间不能早于加入时间。"),
            ),
            # 一方隶属: one organisational home; any other branch is taken part in functionally
            models.UniqueConstraint(
                fields=["cadre"],
                condition=Q(relation="held", left_on__isnull=True),
                name="membership_one_home_per_cadre",
                violation_error_message=_("该党员的组织关系已在另一个支部，只能有一个；在这里请选“参加组织生活”。"),
            ),
        ]

    def __str__(self):
        return f"{self.cadre} @ {self.branch}"


class RosterImportQuerySet(models.QuerySet):
    def for_user(self, user):
        """An import is seen by the account that uploaded it."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(created_by=user)


class RosterImport(models.Model):
    """One roster file on its way in: checked, previewed, confirmed, applied (a Celery job)."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("检查中")
        INVALID = "invalid", _("有错误")
        CHECKED = "checked", _("待确认")
        IMPORTING = "importing", _("导入中")
        DONE = "done", _("已导入")
        FAILED = "failed", _("失败")

    file = models.FileField(_("文件"), upload_to="roster-imports/", blank=True)
    file_name = models.CharField(_("文件名"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("导入人")
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.CHECKING)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    progress = models.PositiveIntegerField(_("已处理行数"), default=0)
    new = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("无变化"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    # the preview: the first new rows and changed rows, with the columns that change (hidden ones unshown)
    changes = models.JSONField(_("将要更改的行"), default=list, blank=True)
    # unit names not known yet become new units (原单位) with the import, instead of row errors
    create_units = models.BooleanField(_("自动建立新单位"), default=False)
    # the background job that holds the import: the sweeper tells a dead one from a slow one by these
    task_id = models.CharField(_("任务"), max_length=64, blank=True)
    queued_at = models.DateTimeField(_("排队时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("处理开始"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("处理次数"), default=0)
    # an import that failed for the system's reasons (a dead worker, an outage) keeps its file until the
    # clerk retries it (it goes back to this status) or discards it; one that failed for the file's does not
    retry_as = models.CharField(_("重试时回到"), max_length=10, blank=True)

    objects = RosterImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("花名册导入")
        verbose_name_plural = _("花名册导入")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def is_running(self):
        return self.status in (self.Status.CHECKING, self.Status.IMPORTING)

    @property
    def can_retry(self):
        return self.status == self.Status.FAILED and bool(self.retry_as) and bool(self.file)

    @property
    def reason(self) -> str:
        """Why it failed, as the clerk reads it."""
        return self.errors[0][2] if self.status == self.Status.FAILED and self.errors else ""
