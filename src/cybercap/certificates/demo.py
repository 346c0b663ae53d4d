"""Demo certificates: attendance certificates for the delivered demo activities.

Every demo activity that was delivered or reported gives a certificate of attendance to each
approved, confirmed or attending participant present at three quarters of its sessions or more,
as staff would issue them from the activity's certificates page. Like the activities they
certify, they are synthetic (the activity is flagged ``is_demo``; the PDF says so).

Idempotent: an activity that already has certificates is skipped. Rows go in with bulk_create
(no audit entries), a fixed number of queries per batch.
"""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from cybercap.activities.models import PLACE_TAKING, Activity, ActivityStatus, Registration
from cybercap.certificates import codes
from cybercap.certificates.forms import DEFAULT_THRESHOLD
from cybercap.certificates.models import Certificate, CertificateKind
from cybercap.demo.registry import DemoReport

BATCH = 2000


def seed_certificates(*, scale: int, report: DemoReport) -> None:
    activities = {
        activity.pk: activity
        for activity in Activity.objects.filter(
            is_demo=True, status__in=[ActivityStatus.DELIVERED, ActivityStatus.REPORTED]
        )
        .exclude(certificates__isnull=False)
        .annotate(session_count=Count("sessions", distinct=True))
    }
    if not activities:
        return
    registrations = (
        Registration.objects.filter(activity_id__in=list(activities), status__in=PLACE_TAKING)
        .select_related("person")
        .annotate(attended=Count("attendances", distinct=True))
        .order_by("activity_id", "pk")
    )
    now = timezone.now()
    rows: list[Certificate] = []
    for registration in registrations.iterator(chunk_size=BATCH):
        activity = activities[registration.activity_id]
        sessions = activity.session_count
        if not sessions or 100 * registration.attended < DEFAULT_THRESHOLD * sessions:
            continue
        person = registration.person
        rows.append(
            Certificate(
                code=codes.generate(),
                kind=CertificateKind.ATTENDANCE,
                title=activity.title,
                starts=activity.start_date,
                ends=activity.end_date,
                activity=activity,
                holder_person=person,
                holder_user_id=person.user_id,
                holder_name=person.full_name,
                language="en",
                issued_at=now,
            )
        )
    Certificate.objects.bulk_create(rows, batch_size=BATCH)
    report.add_count("certificates", len(rows))
