"""Participant-list import through its pages: upload, columns, preview, all-or-nothing save."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cybercap.activities.models import ImportMapping, ParticipantImport, Registration
from cybercap.network.models import Agency, Country, Person
from tests.factories import AgencyFactory, CountryFactory, PersonFactory

pytestmark = pytest.mark.django_db

# A Thai ministry's own layout: its own headings, its own order, an extra column.
TH_HEADINGS = ["No.", "ชื่อ-สกุล (Name)", "Email address", "Organisation", "Position", "Sex"]


def workbook(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def region(thailand: Any, vietnam: Any) -> dict[str, Any]:
    kh = CountryFactory(code="KH", name="Cambodia", time_zone="Asia/Phnom_Penh")
    la = CountryFactory(code="LA", name="Lao PDR", time_zone="Asia/Vientiane")
    mm = CountryFactory(code="MM", name="Myanmar", time_zone="Asia/Yangon")
    return {
        "TH": AgencyFactory(country=thailand, name="Thai Police Cyber Unit", acronym="TCSD"),
        "VN": AgencyFactory(country=vietnam, name="Cyber Police Department", acronym="A05"),
        "KH": AgencyFactory(country=kh, name="Cybercrime Office", acronym="CCO"),
        "LA": AgencyFactory(country=la, name="Cyber Police", acronym="LCP"),
        "MM": AgencyFactory(country=mm, name="Cyber Crime Division", acronym="CCD"),
    }


@pytest.fixture
def staff(client_for: Any) -> Any:
    return client_for("staff", is_staff=True)


def upload(client: Any, activity: Any, name: str, data: bytes, country: str = "TH") -> Any:
    return client.post(
        f"/activities/{activity.pk}/import/",
        {"country": country, "file": SimpleUploadedFile(name, data)},
    )


def batch_of(response: Any) -> ParticipantImport:
    match = re.search(r"/import/(\d+)/columns/$", response["Location"])
    assert match, response["Location"]
    return ParticipantImport.objects.get(pk=int(match.group(1)))


TH_MAPPING = {
    "full_name": "ชื่อ-สกุล (Name)",
    "email": "Email address",
    "agency": "Organisation",
    "role_title": "Position",
    "gender": "Sex",
    "latin_name": "",
    "country": "",
    "phone": "",
}


def test_a_good_list_in_a_country_layout_is_saved_with_scripts_intact(
    staff: Any, make_activity: Any, region: dict[str, Any], thailand: Any
) -> None:
    countries = {c.code: c for c in Country.objects.all()}
    activity = make_activity(quotas={countries[c]: 5 for c in ("TH", "VN", "KH", "LA", "MM")})
    rows = [
        [*TH_HEADINGS, "Country"],
        [1, "สมศักดิ์ วงศ์ใหญ่", "somsak@example.org", "TCSD", "Pol. Maj.", "M", "TH"],
        [2, "Nguyễn Thị Thu Hà", "ha@example.org", "A05", "Captain", "F", "Viet Nam"],
        [3, "សុខ ចាន់ថា", "chantha@example.org", "Cybercrime Office", "Officer", "f", "KH"],
        [4, "ສົມພອນ ແກ້ວມະນີ", "somphone@example.org", "LCP", "Inspector", "m", "LA"],
        [5, "အောင်ကျော်ဝင်း", "aung@example.org", "CCD", "Major", "", "Myanmar"],
    ]
    response = upload(staff, activity, "ทะเบียน.xlsx", workbook(rows))
    assert response.status_code == 302
    batch = batch_of(response)
    page = staff.get(f"/activities/{activity.pk}/import/{batch.pk}/columns/")
    assert page.status_code == 200
    mapping = {**TH_MAPPING, "country": "Country"}
    response = staff.post(f"/activities/{activity.pk}/import/{batch.pk}/columns/", mapping)
    assert response.status_code == 302
    assert ImportMapping.objects.get(country=thailand).columns == {
        k: v for k, v in mapping.items() if v
    }
    preview = staff.get(f"/activities/{activity.pk}/import/{batch.pk}/preview/")
    body = preview.content.decode()
    assert "5 participants to save" in body
    assert "problem" not in body
    assert Person.objects.count() == 0
    response = staff.post(f"/activities/{activity.pk}/import/{batch.pk}/preview/")
    assert response.status_code == 302
    saved = {
        (r.person.full_name, r.country.code, r.person.agency.acronym, r.person.gender, r.status)
        for r in Registration.objects.select_related("person__agency", "country")
    }
    assert saved == {
        ("สมศักดิ์ วงศ์ใหญ่", "TH", "TCSD", "male", "nominated"),
        ("Nguyễn Thị Thu Hà", "VN", "A05", "female", "nominated"),
        ("សុខ ចាន់ថា", "KH", "CCO", "female", "nominated"),
        ("ສົມພອນ ແກ້ວມະນີ", "LA", "LCP", "male", "nominated"),
        ("အောင်ကျော်ဝင်း", "MM", "CCD", "undisclosed", "nominated"),
    }
    batch.refresh_from_db()
    assert (batch.status, batch.saved_count) == ("saved", 5)


def test_the_mapping_is_remembered_for_the_country(
    staff: Any, make_activity: Any, region: dict[str, Any], thailand: Any
) -> None:
    ImportMapping.objects.create(country=thailand, columns=TH_MAPPING)
    activity = make_activity(quotas={thailand: 5})
    rows = [TH_HEADINGS, [1, "สมศักดิ์ วงศ์ใหญ่", "somsak@example.org", "TCSD", "", ""]]
    batch = batch_of(upload(staff, activity, "list.xlsx", workbook(rows)))
    assert batch.columns == {k: v for k, v in TH_MAPPING.items() if v}
    page = staff.get(f"/activities/{activity.pk}/import/{batch.pk}/columns/").content.decode()
    assert '<option value="Email address" selected>' in page


def test_a_bad_list_reports_every_problem_by_row_and_column_and_saves_nothing(
    staff: Any, make_activity: Any, region: dict[str, Any], thailand: Any
) -> None:
    activity = make_activity(quotas={thailand: 10})
    csv_text = (
        "Name;Mail;Agency;Country;Sex\n"
        "Somchai Jaidee;somchai@example.org;TCSD;TH;M\n"
        "Bad Mail;not-an-email;TCSD;TH;F\n"
        ";empty@example.org;TCSD;TH;F\n"
        "Nowhere Person;nowhere@example.org;TCSD;Atlantis;F\n"
        "Wrong Agency;wrong@example.org;Ministry of Magic;TH;M\n"
        "Somchai Twice;SOMCHAI@example.org;TCSD;TH;M\n"
        "Odd Gender;odd@example.org;TCSD;TH;Q\n"
    )
    batch = batch_of(upload(staff, activity, "list.csv", csv_text.encode()))
    mapping = {
        "full_name": "Name",
        "email": "Mail",
        "agency": "Agency",
        "country": "Country",
        "gender": "Sex",
    }
    staff.post(f"/activities/{activity.pk}/import/{batch.pk}/columns/", mapping)
    page = staff.get(f"/activities/{activity.pk}/import/{batch.pk}/preview/").content.decode()
    problems = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", page)
    assert problems == [
        ("3", "Mail", "“not-an-email” is not a valid e-mail."),
        ("4", "Name", "The name is empty."),
        ("5", "Country", "Unknown country “Atlantis”."),
        ("6", "Agency", "Unknown agency “Ministry of Magic” in this country."),
        ("7", "Mail", "The same e-mail as row 2 of this file."),
        ("8", "Sex", "Unknown gender “Q”."),
    ]
    assert "6 problems: nothing can be saved" in page
    response = staff.post(f"/activities/{activity.pk}/import/{batch.pk}/preview/")
    assert response.status_code == 200
    assert (Person.objects.count(), Registration.objects.count()) == (0, 0)


def test_missing_required_columns_are_named(
    staff: Any, make_activity: Any, region: dict[str, Any], thailand: Any
) -> None:
    activity = make_activity(quotas={thailand: 10})
    batch = batch_of(upload(staff, activity, "list.csv", b"Name,Phone\nA,1\n"))
    response = staff.post(
        f"/activities/{activity.pk}/import/{batch.pk}/columns/",
        {"full_name": "Name", "phone": "Name"},
    )
    # E-mail and agency are required: the mapping form refuses to go on without them.
    assert response.status_code == 200
    assert response.content.decode().count("This field is required.") == 2
    ParticipantImport.objects.filter(pk=batch.pk).update(
        columns={"full_name": "Name", "phone": "Name"}
    )
    page = staff.get(f"/activities/{activity.pk}/import/{batch.pk}/preview/").content.decode()
    problems = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", page)
    assert problems == [
        ("whole file", "E-mail", "Choose the column that holds “E-mail”."),
        ("whole file", "Agency", "Choose the column that holds “Agency”."),
        ("whole file", "Name", "The same column is mapped to two fields."),
    ]


def test_duplicates_are_shown_before_saving_and_resolved_as_staff_decide(
    staff: Any, make_activity: Any, region: dict[str, Any], thailand: Any
) -> None:
    agency = region["TH"]
    by_mail = PersonFactory(agency=agency, full_name="สมชาย ใจดี", email="somchai@example.org")
    by_name = PersonFactory(agency=agency, full_name="วิภา ศรีสุข", email="old@example.org")
    namesake = PersonFactory(agency=agency, full_name="มานะ ขยัน", email="mana@example.org")
    activity = make_activity(quotas={thailand: 10})
    csv_text = (
        "Name,Mail,Agency\n"
        "Somchai J.,SomChai@Example.org,TCSD\n"
        "วิภา ศรีสุข,wipa.new@example.org,Thai Police Cyber Unit\n"
        "มานะ ขยัน,mana.other@example.org,TCSD\n"
    )
    batch = batch_of(upload(staff, activity, "list.csv", csv_text.encode()))
    staff.post(
        f"/activities/{activity.pk}/import/{batch.pk}/columns/",
        {"full_name": "Name", "email": "Mail", "agency": "Agency"},
    )
    page = staff.get(f"/activities/{activity.pk}/import/{batch.pk}/preview/").content.decode()
    assert "Likely duplicates" in page
    assert "Same e-mail: the known person is used." in page
    assert page.count("Same name and agency.") == 2
    assert Registration.objects.count() == 0
    # Row 4 (มานะ) is a different person; row 3 (วิภา) is the one already known.
    response = staff.post(
        f"/activities/{activity.pk}/import/{batch.pk}/preview/", {"new_person": ["4"]}
    )
    assert response.status_code == 302
    registered = set(Registration.objects.values_list("person_id", flat=True))
    new_mana = Person.objects.get(email="mana.other@example.org")
    assert registered == {by_mail.pk, by_name.pk, new_mana.pk}
    assert new_mana.pk != namesake.pk
    assert Person.objects.count() == 4


def test_a_list_beyond_the_quota_is_refused_whole(
    staff: Any, make_activity: Any, region: dict[str, Any], thailand: Any
) -> None:
    activity = make_activity(quotas={thailand: 1})
    csv_text = "Name,Mail,Agency\nA One,a@example.org,TCSD\nB Two,b@example.org,TCSD\n"
    batch = batch_of(upload(staff, activity, "list.csv", csv_text.encode()))
    staff.post(
        f"/activities/{activity.pk}/import/{batch.pk}/columns/",
        {"full_name": "Name", "email": "Mail", "agency": "Agency"},
    )
    page = staff.get(f"/activities/{activity.pk}/import/{batch.pk}/preview/").content.decode()
    assert "Thailand: 2 people in the file, 1 seats left." in page
    staff.post(f"/activities/{activity.pk}/import/{batch.pk}/preview/")
    assert (Person.objects.count(), Registration.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("list.pdf", b"%PDF-1.4", "are not accepted"),
        ("list.xlsx", b"PK\x03\x04 not a workbook", "The workbook cannot be read"),
        ("list.csv", "Name\n".encode("utf-16"), "must not contain binary data"),
        ("list.csv", "Nom\nHélène\n".encode("latin-1"), "not UTF-8"),
        ("list.csv", b"\n\n", "The file has no rows."),
    ],
)
def test_unreadable_files_are_refused_at_upload(
    staff: Any, make_activity: Any, thailand: Any, name: str, data: bytes, message: str
) -> None:
    activity = make_activity(quotas={thailand: 1})
    response = upload(staff, activity, name, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ParticipantImport.objects.count() == 0


def test_import_pages_are_for_staff_only(
    client_for: Any, make_activity: Any, thailand: Any
) -> None:
    activity = make_activity(quotas={thailand: 1})
    focal = client_for("focal_point", thailand)
    assert focal.get(f"/activities/{activity.pk}/import/").status_code == 403
    assert Agency.objects.count() == 0


@pytest.mark.parametrize(
    ("word", "gender"),
    [
        ("ชาย", "male"),
        ("หญิง", "female"),
        ("Nữ", "female"),
        ("NAM", "male"),
        ("Perempuan", "female"),
        ("laki-laki", "male"),
        ("babae", "female"),
        ("ស្រី", "female"),
        ("ຊາຍ", "male"),
        ("ကျား", "male"),
        ("feto", "female"),
    ],
)
def test_gender_words_of_the_regions_own_lists_are_understood(word: str, gender: str) -> None:
    from cybercap.activities.importing import GENDERS, _norm

    assert GENDERS[_norm(word)] == gender
