"""Programme activities: trainings, seminars, workshops, exercises, missions and meetings.

Models stay thin: the rules (quotas, status transitions, imports) live in `services.py`, reads
in `selectors.py`. The database holds what it can: dates in order, one registration per person
and activity, one quota per country and activity, one trainer assignment per user and activity.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cybercap.network.models import Agency, Country, Person, Topic
from cybercap.network.tlp import TLP


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class ActivityType(models.TextChoices):
    TRAINING = "training", _("Specialised training")
    SEMINAR = "seminar", _("Research seminar")
    WORKSHOP = "workshop", _("Best-practice workshop")
    EXERCISE = "exercise", _("Table-top exercise")
    REVIEW_MISSION = "review_mission", _("Review mission")
    MEETING = "meeting", _("Meeting")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open for nominations")
    CONFIRMED = "confirmed", _("Confirmed")
    DELIVERED = "delivered", _("Delivered")
    REPORTED = "reported", _("Reported")


# The one way forward, and one step back while nominations are still being gathered.
ACTIVITY_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ActivityStatus.PLANNED: (ActivityStatus.OPEN,),
    ActivityStatus.OPEN: (ActivityStatus.CONFIRMED, ActivityStatus.PLANNED),
    ActivityStatus.CONFIRMED: (ActivityStatus.DELIVERED,),
    ActivityStatus.DELIVERED: (ActivityStatus.REPORTED,),
    ActivityStatus.REPORTED: (),
}


class Activity(models.Model):
    kind = models.CharField(_("type"), max_length=20, choices=ActivityType.choices)
    title = models.CharField(_("title"), max_length=200)
    topics = models.ManyToManyField(
        Topic, related_name="activities", blank=True, verbose_name=_("topics")
    )
    phase = models.PositiveSmallIntegerField(_("programme phase"), default=1)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    online = models.BooleanField(_("online"), default=False)
    time_zone = models.CharField(
        _("venue time zone"),
        max_length=64,
        choices=_time_zone_choices,
        default="Asia/Bangkok",
        help_text=_("Sessions are scheduled in this zone."),
    )
    host_country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_activities",
        verbose_name=_("host country"),
    )
    host_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_activities",
        verbose_name=_("host agency"),
    )
    funding_source = models.CharField(_("funding source"), max_length=200, blank=True)
    working_languages = models.CharField(
        _("working languages"),
        max_length=200,
        blank=True,
        help_text=_("Language codes separated by commas, e.g. en, th."),
    )
    capacity = models.PositiveIntegerField(_("capacity"), default=30)
    status = models.CharField(
        _("status"), max_length=20, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    description = models.TextField(_("description"), blank=True)
    survey_set_up = models.BooleanField(
        _("survey set up"),
        default=False,
        help_text=_("The standard survey questions were copied in once; never again after that."),
    )
    is_demo = models.BooleanField(_("demo data"), default=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "title", "pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="activity_dates_in_order"
            ),
            models.CheckConstraint(condition=Q(phase__gte=1), name="activity_phase_from_one"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ActivityStatus]),
                name="activity_status_known",
            ),
        ]
        indexes = [models.Index(fields=["start_date"]), models.Index(fields=["kind", "phase"])]

    def __str__(self) -> str:
        return self.title

    @property
    def languages(self) -> list[str]:
        return [code.strip() for code in self.working_languages.split(",") if code.strip()]


class ActivityTransition(models.Model):
    """One recorded change of an activity's status."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=ActivityStatus.choices)
    to_status = models.CharField(max_length=20, choices=ActivityStatus.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.from_status} → {self.to_status}"


class Session(models.Model):
    """One slot of the timetable; stored in UTC, shown in the venue's and the viewer's zone."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.CharField(_("room"), max_length=100, blank=True)
    speakers = models.ManyToManyField(
        Person, related_name="sessions_spoken", blank=True, verbose_name=_("speakers")
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title


class SeatQuota(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="quotas")
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="seat_quotas", verbose_name=_("country")
    )
    seats = models.PositiveIntegerField(_("seats"))

    class Meta:
        ordering = ["country__name"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "country"], name="quota_one_per_country")
        ]

    def __str__(self) -> str:
        return f"{self.country_id}: {self.seats}"


class MaterialKind(models.TextChoices):
    SLIDES = "slides", _("Slides")
    HANDOUT = "handout", _("Handout")
    AGENDA = "agenda", _("Agenda")
    EXERCISE = "exercise", _("Exercise")
    REPORT = "report", _("Report")
    OTHER = "other", _("Other")


def material_path(instance: Material, filename: str) -> str:
    return f"activities/{instance.activity_id}/materials/{filename}"


class Material(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=MaterialKind.choices)
    tlp = models.CharField(_("TLP label"), max_length=20, choices=TLP.choices, default=TLP.GREEN)
    file = models.FileField(_("file"), upload_to=material_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.title


class TrainerAssignment(models.Model):
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="trainer_assignments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trainer_assignments"
    )
    lead = models.BooleanField(_("lead trainer"), default=False)
    assigned_at = models.DateTimeField()

    class Meta:
        ordering = ["-lead", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "user"], name="trainer_assigned_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.activity_id}"


class RegistrationStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    APPROVED = "approved", _("Approved")
    WAIT_LISTED = "wait_listed", _("Wait-listed")
    DECLINED = "declined", _("Declined")
    CONFIRMED = "confirmed", _("Confirmed")
    ATTENDED = "attended", _("Attended")


# Statuses that take one of the country's seats.
SEAT_TAKING = (
    RegistrationStatus.NOMINATED,
    RegistrationStatus.APPROVED,
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.ATTENDED,
)
# Statuses that take one of the activity's places (its capacity).
PLACE_TAKING = (
    RegistrationStatus.APPROVED,
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.ATTENDED,
)


class Registration(models.Model):
    """A person's nomination to an activity and what became of it."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="registrations")
    # The person's country when nominated: the quota it counts against and the focal point's scope.
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="registrations")
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.NOMINATED,
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    nominated_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Printed on the badge (and in its QR code); a handheld scanner types it at check-in.
    badge_code = models.CharField(
        _("badge code"), max_length=12, unique=True, null=True, blank=True, editable=False
    )
    # The signed confirmation link (activities/confirmation.py): when the current link was sent
    # (a new link makes older ones fail), when the participant answered through it, and when a
    # visa support letter was first asked for. Passport details are never stored.
    confirmation_sent_at = models.DateTimeField(
        _("confirmation link sent at"), null=True, blank=True, editable=False
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)
    visa_letter_requested_at = models.DateTimeField(
        _("visa letter requested at"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["nominated_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "person"], name="registration_one_per_person"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in RegistrationStatus]),
                name="registration_status_known",
            ),
        ]
        indexes = [models.Index(fields=["activity", "country", "status"])]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.activity_id}: {self.status}"


class ImportMapping(models.Model):
    """The column mapping staff last used for a country's participant lists."""

    country = models.OneToOneField(Country, on_delete=models.CASCADE, related_name="import_mapping")
    # {"cybercap field": "their column heading"}
    columns = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"mapping for {self.country_id}"


def import_path(instance: ParticipantImport, filename: str) -> str:
    return f"activities/{instance.activity_id}/imports/{filename}"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    SAVED = "saved", _("Saved")


class ParticipantImport(models.Model):
    """An uploaded participant list, between upload and the all-or-nothing save."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="imports")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=import_path, max_length=300)
    original_name = models.CharField(max_length=255)
    columns = models.JSONField(default=dict)
    status = models.CharField(
        max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    saved_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class AttendanceMethod(models.TextChoices):
    MANUAL = "manual", _("Marked by the trainer")
    BADGE = "badge", _("Badge code")


class Attendance(models.Model):
    """One participant present at one session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="attendances"
    )
    method = models.CharField(max_length=10, choices=AttendanceMethod.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    marked_at = models.DateTimeField()

    class Meta:
        ordering = ["marked_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "registration"], name="attendance_once_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} @ {self.session_id}"


# --------------------------------------------------------------------------- evaluations
# Kirkpatrick level 2 (learning): a pre-test and a post-test per activity, drawn from the one
# question bank (quizzes.Test), taken online or on paper; level 1 (reaction): a feedback survey.


class EvaluationKind(models.TextChoices):
    PRE = "pre", _("Pre-test")
    POST = "post", _("Post-test")


class Evaluation(models.Model):
    """An activity's pre- or post-test: its items (a quizzes.Test) and how it is taken."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="evaluations")
    kind = models.CharField(_("test"), max_length=4, choices=EvaluationKind.choices)
    test = models.ForeignKey(
        "quizzes.Test",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activity_evaluations",
        verbose_name=_("items from the question bank"),
    )
    online = models.BooleanField(
        _("open online"), default=False, help_text=_("Participants may take it on the platform.")
    )
    pass_mark = models.FloatField(
        _("pass mark"), default=0.7, help_text=_("0 to 1; the post-test's decides achievement.")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["activity_id", "-kind"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "kind"], name="evaluation_one_per_kind"),
            models.CheckConstraint(
                condition=Q(pass_mark__gte=0) & Q(pass_mark__lte=1),
                name="evaluation_pass_mark_0_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.kind}"


class ScoreSource(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper, entered by the trainer")


class EvaluationScore(models.Model):
    """One participant's score (0 to 1) on an activity's pre- or post-test."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="evaluation_scores"
    )
    kind = models.CharField(max_length=4, choices=EvaluationKind.choices)
    score = models.FloatField(_("score"))
    source = models.CharField(max_length=10, choices=ScoreSource.choices)
    attempt = models.OneToOneField(
        "quizzes.Attempt",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activity_score",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    entered_at = models.DateTimeField()
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["registration_id", "-kind"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "kind"], name="evaluation_score_once"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1), name="evaluation_score_0_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.kind}: {self.score:.2f}"


class QuestionKind(models.TextChoices):
    LIKERT = "likert", _("Rating from 1 to 5")
    TEXT = "text", _("Free text")


class FeedbackQuestion(models.Model):
    """A question of an activity's survey. Once answered, its kind and wording are fixed and it
    cannot be deleted (the answers reference it: RESTRICT); it can be retired instead, which
    hides it from new respondents and keeps its answers in the results."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="feedback_questions"
    )
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    retired = models.BooleanField(
        _("retired"), default=False, help_text=_("Not asked any more; its answers are kept.")
    )

    class Meta:
        ordering = ["activity_id", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class FeedbackReceipt(models.Model):
    """That a participant has answered the survey (once); kept apart from the answers."""

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="feedback_receipt"
    )
    submitted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"feedback from {self.registration_id}"


class FeedbackResponse(models.Model):
    """One anonymous set of answers: it names no participant and keeps only the day."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="feedback_responses"
    )
    submitted_on = models.DateField()
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["activity_id", "pk"]

    def __str__(self) -> str:
        return f"feedback on {self.activity_id}"


class FeedbackAnswer(models.Model):
    response = models.ForeignKey(FeedbackResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        FeedbackQuestion, on_delete=models.RESTRICT, related_name="answers"
    )
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["response_id", "question__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="feedback_answer_once"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)),
                name="feedback_rating_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"
