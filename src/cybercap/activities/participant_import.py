"""Participant lists in the countries' own layouts: upload, map columns, preview, save.

The pure reading and checking is in `importing`; this module brings the database's knowledge
to it (countries, agencies, people already known, seats left) and saves all or nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from cybercap.activities import importing
from cybercap.activities.models import (
    Activity,
    ImportMapping,
    ImportStatus,
    ParticipantImport,
    Registration,
)
from cybercap.activities.services import (
    ActivityError,
    NotAllowed,
    check_upload,
    new_badge_code,
    quota_seats,
    seats_taken,
)
from cybercap.network.models import Agency, Country, Person

IMPORT_TYPES = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@transaction.atomic
def import_upload(
    *, activity: Activity, country: Country, upload: UploadedFile, by: Any
) -> ParticipantImport:
    """Keep the uploaded list and read its headings; the remembered mapping is the first guess."""
    name, _content_type = check_upload(upload, IMPORT_TYPES)
    try:
        table = importing.read_table(upload.read(), name)
    except importing.TableError as exc:
        raise ActivityError(str(exc)) from None
    upload.seek(0)
    remembered = ImportMapping.objects.filter(country=country).first()
    batch = ParticipantImport(
        activity=activity,
        country=country,
        original_name=name,
        columns=importing.guess_mapping(table.headers, remembered.columns if remembered else {}),
        uploaded_by=by,
        uploaded_at=timezone.now(),
    )
    batch.file.save(name, upload, save=False)
    batch.save()
    return batch


def import_table(batch: ParticipantImport) -> importing.Table:
    with batch.file.open("rb") as handle:
        data = handle.read()
    try:
        return importing.read_table(data, batch.original_name)
    except importing.TableError as exc:
        raise ActivityError(str(exc)) from None


@transaction.atomic
def import_map(*, batch: ParticipantImport, columns: dict[str, str]) -> ParticipantImport:
    """Record the mapping for this upload, and remember it for the country's next list."""
    if batch.status != ImportStatus.UPLOADED:
        raise NotAllowed(_("This list has already been saved."))
    clean = {key: value for key, value in columns.items() if key in importing.FIELDS and value}
    batch.columns = clean
    batch.save(update_fields=["columns"])
    ImportMapping.objects.update_or_create(country=batch.country, defaults={"columns": clean})
    return batch


def import_lookups(batch: ParticipantImport) -> importing.Lookups:
    norm = importing.normalise
    countries: dict[str, int] = {}
    for pk, code, name in Country.objects.values_list("pk", "code", "name"):
        countries[norm(code)] = pk
        countries[norm(name)] = pk
    agencies: dict[tuple[int, str], int] = {}
    for pk, country_id, name, acronym in Agency.objects.values_list(
        "pk", "country_id", "name", "acronym"
    ):
        agencies[(country_id, norm(name))] = pk
        if acronym:
            agencies.setdefault((country_id, norm(acronym)), pk)
    table = import_table(batch)

    def column_values(key: str) -> set[str]:
        heading = batch.columns.get(key)
        if heading not in table.headers:
            return set()
        i = table.headers.index(heading)
        return {row[i].strip().lower() for row in table.rows if row[i].strip()}

    by_email = {
        email.casefold(): (pk, name)
        for pk, email, name in Person.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=column_values("email"))
        .values_list("pk", "email", "full_name")
    }
    by_name_agency = {
        (norm(name), agency_id): (pk, name)
        for pk, name, agency_id in Person.objects.annotate(name_lower=Lower("full_name"))
        .filter(name_lower__in=column_values("full_name"), agency_id__isnull=False)
        .values_list("pk", "full_name", "agency_id")
    }
    registered = set(
        Registration.objects.filter(activity_id=batch.activity_id).values_list(
            "person_id", flat=True
        )
    )
    return importing.Lookups(
        default_country_id=batch.country_id,
        countries=countries,
        agencies=agencies,
        people_by_email=by_email,
        people_by_name_agency=by_name_agency,
        registered_person_ids=registered,
    )


def import_preview(*, batch: ParticipantImport) -> importing.Preview:
    """Every problem by row and column, and the likely duplicates; saves nothing."""
    table = import_table(batch)
    preview = importing.build_preview(table, batch.columns, import_lookups(batch))
    if preview.problems:
        return preview
    # Quotas: the new registrations must fit the seats left for each country.
    wanted: dict[int, int] = {}
    for row in preview.rows:
        if row.country_id is not None:
            wanted[row.country_id] = wanted.get(row.country_id, 0) + 1
    activity = batch.activity
    names = dict(Country.objects.filter(pk__in=wanted).values_list("pk", "name"))
    for country_id, count in sorted(wanted.items()):
        left = quota_seats(activity, country_id) - seats_taken(activity, country_id)
        if count > left:
            preview.problems.append(
                importing.Problem(
                    None,
                    batch.columns.get("country") or str(_("Country")),
                    str(
                        _("%(country)s: %(count)d people in the file, %(left)d seats left.")
                        % {
                            "country": names.get(country_id, "?"),
                            "count": count,
                            "left": max(left, 0),
                        }
                    ),
                )
            )
    return preview


@transaction.atomic
def import_save(
    *, batch: ParticipantImport, by: Any, new_despite_duplicate: Iterable[int] = ()
) -> int:
    """All or nothing: people (new or reused) and their nominations, in one transaction.

    A row whose name and agency match someone already known reuses that person unless its row
    number is in ``new_despite_duplicate`` (staff judged them to be different people).
    """
    locked = ParticipantImport.objects.select_for_update().get(pk=batch.pk)
    if locked.status != ImportStatus.UPLOADED:
        raise NotAllowed(_("This list has already been saved."))
    Activity.objects.select_for_update().get(pk=locked.activity_id)
    preview = import_preview(batch=locked)
    if not preview.ok:
        raise ActivityError(_("The list has problems; nothing was saved."))
    keep_new = set(new_despite_duplicate)
    now = timezone.now()
    registrations = []
    for row in preview.rows:
        assert row.country_id is not None  # rows without a country are problems
        person_id = row.existing_person_id
        if person_id is None and row.likely_duplicate_id and row.row not in keep_new:
            person_id = row.likely_duplicate_id
        if person_id is None:
            person = Person.objects.create(
                full_name=row.full_name,
                latin_name=row.latin_name,
                email=row.email,
                agency_id=row.agency_id,
                country_id=row.country_id,
                role_title=row.role_title,
                gender=row.gender,
                phone=row.phone,
            )
            person_id = person.pk
        registrations.append(
            Registration(
                activity_id=locked.activity_id,
                person_id=person_id,
                country_id=row.country_id,
                nominated_by=by,
                nominated_at=now,
                note=str(_("Imported from %(name)s, row %(row)d"))
                % {"name": locked.original_name[:200], "row": row.row},
                badge_code=new_badge_code(),
            )
        )
    try:
        with transaction.atomic():
            for registration in registrations:
                registration.save()
    except IntegrityError:
        raise ActivityError(
            _("A person appears twice in this list or is already registered; nothing was saved.")
        ) from None
    locked.status = ImportStatus.SAVED
    locked.saved_count = len(registrations)
    locked.save(update_fields=["status", "saved_count"])
    batch.status = locked.status
    batch.saved_count = locked.saved_count
    return len(registrations)
