"""An activity's journey end to end in a real browser (strict CSP enforced), each role in its
own browser context: staff plan a training with sessions and seat quotas and open it; Viet Nam's
focal point nominates within its quota and is refused beyond it; staff import Thailand's list in
Thailand's own layout (columns mapped, a duplicate caught before saving) and approve everyone; the
assigned trainer checks people in by badge code as the QR scanner types it, enters the paper
pre-test scores and issues certificates; a participant takes the post-test online and answers the
survey; a certificate is verified on the public page; the programme dashboard shows the figures
and the donor report downloads as a workbook with the activity in it.

The people, agencies, topic and question-bank items exist beforehand (factories): every step of
the activity itself goes through the pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect

from cybercap.activities.models import Activity, Registration
from cybercap.certificates.models import Certificate
from cybercap.network.models import Gender
from cybercap.quizzes.models import Item
from tests.browser import TIMEOUT_MS, ConsoleLog, current_code, log_in
from tests.factories import (
    AgencyFactory,
    CountryFactory,
    PersonFactory,
    RoleFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Mobile device forensics for first responders"
# Thailand's own layout: its headings, its column order, a running number first.
TH_LIST = (
    "ลำดับ,ชื่อ-สกุล,อีเมล,หน่วยงาน,ตำแหน่ง,เพศ\n"
    "1,สมชาย ใจดี,Somchai@Example.org,TCSD,Pol. Capt.,M\n"
    "2,วิภา ศรีสุข,wipa@example.org,TCSD,Pol. Lt.,F\n"
)


def _item(topic: Any, key: str, stem: str, options: list[str]) -> Item:
    return Item.objects.create(
        key=key,
        type="single",
        topic=topic,
        stem=stem,
        options=[{"id": f"o{n}", "text": text} for n, text in enumerate(options)],
        correct=["o0"],
        content_hash=key,
    )


@pytest.fixture
def world() -> dict[str, Any]:
    thailand = CountryFactory(code="TH", name="Thailand", time_zone="Asia/Bangkok")
    vietnam = CountryFactory(code="VN", name="Viet Nam", time_zone="Asia/Ho_Chi_Minh")
    tcsd = AgencyFactory(country=thailand, name="Thai Police Cyber Unit", acronym="TCSD")
    a05 = AgencyFactory(country=vietnam, name="Cyber Police Department", acronym="A05")
    topic = TopicFactory(key="mobile-forensics", name="Mobile forensics")
    _item(topic, "mf-airplane", "A seized phone is on. What first?", ["Isolate it", "Reboot"])
    _item(topic, "mf-hash", "What proves an image unchanged?", ["Its hash", "Its size"])
    staff = UserFactory(username="somsak", first_name="Somsak", last_name="Staff", is_staff=True)
    RoleFactory(user=staff, role="staff")
    focal = UserFactory(username="minh", first_name="Minh", last_name="Focal")
    RoleFactory(user=focal, role="focal_point", country=vietnam)
    trainer = UserFactory(username="tara", first_name="Tara", last_name="Trainer")
    RoleFactory(user=trainer, role="trainer")
    learner = UserFactory(username="hang", first_name="Hang", last_name="Nguyen")
    RoleFactory(user=learner, role="learner")
    return {
        "thailand": thailand,
        "vietnam": vietnam,
        "topic": topic,
        "staff": staff,
        "device": TOTPDevice.objects.create(user=staff, name="phone", confirmed=True),
        "trainer": trainer,
        "hang": PersonFactory(
            full_name="Nguyễn Thị Hằng", agency=a05, gender=Gender.FEMALE, user=learner
        ),
        "duc": PersonFactory(full_name="Trần Văn Đức", agency=a05, gender=Gender.MALE),
        "lan": PersonFactory(full_name="Phạm Thị Lan", agency=a05, gender=Gender.FEMALE),
        # Known already: the list's row 1 is the same person by e-mail.
        "somchai": PersonFactory(
            full_name="สมชาย ใจดี", agency=tcsd, email="somchai@example.org", gender=Gender.MALE
        ),
    }


@pytest.fixture
def open_page(browser: Browser, console: ConsoleLog) -> Iterator[Any]:
    """A page in a browser context of its own (one per role), reporting to the same console."""
    contexts = []

    def open_() -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.set_default_navigation_timeout(TIMEOUT_MS)
        page.on("console", console.on_console)
        page.on("pageerror", console.on_page_error)
        return page

    yield open_
    for context in contexts:
        context.close()


def _message(page: Page) -> Any:
    return page.locator(".messages")


def test_staff_run_an_activity_from_plan_to_donor_report(
    page: Page, open_page: Any, live_server: Any, world: dict[str, Any], tmp_path: Any
) -> None:
    base = live_server.url

    # --- Staff plan the activity, its sessions, quotas and trainer, and open it. ---------------
    staff = page
    log_in(staff, base, "somsak")
    staff.get_by_label("Code").fill(current_code(world["device"]))
    staff.get_by_role("button", name="Verify").click()
    expect(staff).to_have_url(f"{base}/")
    staff.goto(f"{base}/activities/new/")
    staff.locator("[name=kind]").select_option("training")
    staff.locator("[name=title]").fill(TITLE)
    staff.locator("[name=topics]").select_option(label="Mobile forensics")
    staff.locator("[name=phase]").fill("2")
    staff.locator("[name=start_date]").fill("2026-03-02")
    staff.locator("[name=end_date]").fill("2026-03-03")
    staff.locator("[name=city]").fill("Bangkok")
    staff.locator("[name=time_zone]").select_option("Asia/Bangkok")
    staff.locator("[name=host_country]").select_option(label="Thailand")
    staff.locator("[name=capacity]").fill("20")
    staff.get_by_role("button", name="Save").click()
    expect(_message(staff)).to_contain_text("Activity planned.")
    activity = Activity.objects.get(title=TITLE)
    plan = f"{base}/activities/{activity.pk}/plan/"
    assert staff.url == plan
    for title, day in (("Seizing phones", "2026-03-02"), ("Imaging and hashing", "2026-03-03")):
        staff.locator("[name=title]").fill(title)
        staff.locator("[name=day]").fill(day)
        staff.locator("[name=starts]").fill("09:00")
        staff.locator("[name=ends]").fill("12:00")
        staff.get_by_role("button", name="Add the session").click()
        expect(_message(staff)).to_contain_text("Saved.")
    expect(
        staff.get_by_text("2026-03-02 09:00\u201312:00 (Asia/Bangkok): Seizing phones")
    ).to_be_visible()
    for country, seats in (("Viet Nam", "2"), ("Thailand", "2")):
        staff.locator("[name=country]").select_option(label=country)
        staff.locator("[name=seats]").fill(seats)
        staff.get_by_role("button", name="Set the quota").click()
        expect(_message(staff)).to_contain_text("Saved.")
    staff.locator("[name=user]").select_option(str(world["trainer"].pk))
    staff.get_by_role("button", name="Assign").click()
    expect(_message(staff)).to_contain_text("Saved.")
    staff.goto(f"{base}/activities/{activity.pk}/")
    staff.get_by_role("button", name="Move to “Open for nominations”").click()
    expect(_message(staff)).to_contain_text("Status changed.")

    # --- Viet Nam's focal point nominates two, and a third is refused: the quota is 2. ---------
    focal = open_page()
    log_in(focal, base, "minh")
    focal.goto(f"{base}/activities/{activity.pk}/nominations/")
    for name in ("Nguyễn Thị Hằng", "Trần Văn Đức"):
        focal.get_by_label("Person").select_option(label=name)
        focal.get_by_role("button", name="Nominate").click()
        expect(_message(focal)).to_contain_text("Nomination recorded.")
    focal.get_by_label("Person").select_option(label="Phạm Thị Lan")
    focal.get_by_role("button", name="Nominate").click()
    expect(focal.locator(".form-errors")).to_contain_text(
        "Viet Nam has no seat left on this activity (quota 2)."
    )
    assert not Registration.objects.filter(person=world["lan"]).exists()

    # --- Staff import Thailand's list: columns mapped, the duplicate shown before saving. ------
    csv_file = tmp_path / "รายชื่อผู้เข้าอบรม.csv"
    csv_file.write_text(TH_LIST, encoding="utf-8")
    staff.goto(f"{base}/activities/{activity.pk}/import/")
    staff.get_by_label("Country of the list").select_option(label="Thailand")
    staff.get_by_label("Participant list").set_input_files(str(csv_file))
    staff.get_by_role("button", name="Upload").click()
    expect(staff.get_by_role("heading", name="Match the columns")).to_be_visible()
    for field, column in (
        ("full_name", "ชื่อ-สกุล"),
        ("email", "อีเมล"),
        ("agency", "หน่วยงาน"),
        ("role_title", "ตำแหน่ง"),
        ("gender", "เพศ"),
    ):
        staff.locator(f"select[name={field}]").select_option(column)
    staff.get_by_role("button", name="Check the list").click()
    duplicates = staff.locator(
        "section", has=staff.get_by_role("heading", name="Likely duplicates")
    )
    expect(duplicates).to_contain_text("Same e-mail: the known person is used.")
    expect(duplicates).to_contain_text("สมชาย ใจดี")
    expect(staff.get_by_text("2 participants to save")).to_be_visible()
    assert Registration.objects.filter(country=world["thailand"]).count() == 0  # nothing yet
    staff.get_by_role("button", name="Save all and nominate").click()
    expect(_message(staff)).to_contain_text("2 participants saved and nominated.")
    assert Registration.objects.get(person__email="wipa@example.org").person.full_name == (
        "วิภา ศรีสุข"
    )
    assert Registration.objects.filter(person=world["somchai"]).count() == 1  # no second record

    # --- Staff approve the four nominees, then confirm and deliver the activity. ---------------
    assert staff.url == f"{base}/activities/{activity.pk}/decisions/"
    for _ in range(4):
        row = staff.locator("tbody tr", has_text="Nominated").first
        row.locator("select").select_option("approve")
        row.get_by_role("button", name="Record").click()
        expect(_message(staff)).to_contain_text("Decision recorded.")
    expect(staff.locator("tbody tr", has_text="Approved")).to_have_count(4)
    staff.goto(f"{base}/activities/{activity.pk}/")
    staff.get_by_role("button", name="Move to “Confirmed”").click()
    expect(_message(staff)).to_contain_text("Status changed.")

    # --- The trainer checks people in by badge code, typed as the scanner types it. ------------
    badges = dict(
        Registration.objects.filter(activity=activity).values_list(
            "person__full_name", "badge_code"
        )
    )
    first, second = activity.sessions.order_by("starts_at")
    trainer = open_page()
    log_in(trainer, base, "tara")
    for session, names in (
        (first, ["Nguyễn Thị Hằng", "Trần Văn Đức", "สมชาย ใจดี", "วิภา ศรีสุข"]),
        (second, ["Nguyễn Thị Hằng", "สมชาย ใจดี", "วิภา ศรีสุข"]),
    ):
        trainer.goto(f"{base}/activities/{activity.pk}/sessions/{session.pk}/check-in/")
        for name in names:
            trainer.get_by_label("Badge code").fill(badges[name].lower())
            trainer.get_by_label("Badge code").press("Enter")
            expect(_message(trainer)).to_contain_text(f"{name} is checked in.")
        expect(trainer.get_by_text(f"{len(names)} of 4 present.")).to_be_visible()
    trainer.get_by_label("Badge code").fill("ZZZZ2222")
    trainer.get_by_label("Badge code").press("Enter")
    expect(_message(trainer)).to_contain_text("No participant of this activity has the badge code")

    # --- The trainer sets up the online post-test and enters the paper pre-test scores. --------
    trainer.goto(f"{base}/activities/{activity.pk}/evaluation/")
    trainer.get_by_role("link", name="Set up the Post-test").click()
    trainer.get_by_label("A seized phone is on. What first?").check()
    trainer.get_by_label("What proves an image unchanged?").check()
    trainer.get_by_label("Open online: participants take it on the platform").check()
    trainer.get_by_role("button", name="Save").click()
    expect(_message(trainer)).to_contain_text("Post-test saved with 2 items.")
    trainer.get_by_role("link", name="Enter scores from paper tests").click()
    for name, pre, post in (
        ("Nguyễn Thị Hằng", "50", None),
        ("Trần Văn Đức", "40", "80"),
        ("สมชาย ใจดี", "60", "90"),
        ("วิภา ศรีสุข", "30", "50"),
    ):
        trainer.get_by_label(f"Pre-test: {name}").fill(pre)
        if post is not None:
            trainer.get_by_label(f"Post-test: {name}").fill(post)
    trainer.get_by_role("button", name="Save all scores").click()
    expect(_message(trainer)).to_contain_text("7 scores saved.")

    # --- A participant takes the post-test online and answers the survey. ----------------------
    learner = open_page()
    log_in(learner, base, "hang")
    learner.goto(f"{base}/activities/{activity.pk}/evaluation/")
    learner.get_by_role("link", name="Take the Post-test").click()
    learner.get_by_label("Isolate it").check()
    learner.get_by_label("Its hash").check()
    learner.get_by_role("button", name="Submit answers").click()
    expect(_message(learner)).to_contain_text("your score is 100%")
    learner.get_by_role("link", name="Answer the feedback survey").click()
    for radio in learner.locator("input[type=radio][value='5']").all():
        radio.check()
    learner.get_by_label("What should we change next time?").fill("A second day of labs.")
    learner.get_by_role("button", name="Send my answers").click()
    expect(_message(learner)).to_contain_text("recorded without your name")

    # --- Staff deliver the activity; the trainer issues certificates. --------------------------
    staff.goto(f"{base}/activities/{activity.pk}/")
    staff.get_by_role("button", name="Move to “Delivered”").click()
    expect(_message(staff)).to_contain_text("Status changed.")
    trainer.goto(f"{base}/activities/{activity.pk}/results/")
    # Pre 45%, post 80%: +35 points over the 4 matched pairs.
    expect(trainer.locator("#gain-summary")).to_contain_text("+35.0 percentage points")
    trainer.get_by_role("button", name="Issue achievement certificates to those who passed").click()
    expect(_message(trainer)).to_contain_text("3 achievement certificates issued.")
    trainer.goto(f"{base}/certificates/activities/{activity.pk}/")
    # Trần Văn Đức missed one of the two sessions (50%, below the default threshold).
    trainer.get_by_role("button", name="Issue 3 certificates").click()
    expect(_message(trainer)).to_contain_text("3 attendance certificates issued.")
    row = trainer.locator("tbody tr", has_text="Nguyễn Thị Hằng")
    code = row.locator("code").inner_text().strip()
    assert Certificate.objects.filter(activity=activity).count() == 6

    # --- Anyone verifies the certificate on the public page. -----------------------------------
    public = open_page()
    public.goto(f"{base}/verify/{code}")
    expect(public.locator(".status--valid")).to_contain_text("Valid")
    expect(public.locator("main")).to_contain_text(TITLE)

    # --- The programme dashboard and the donor report. -----------------------------------------
    staff.goto(f"{base}/activities/programme/")
    figures = staff.locator("table.figures")

    def figure(label: str) -> Any:
        return figures.locator("tr", has=staff.get_by_role("rowheader", name=label, exact=True))

    expect(figure("Activities")).to_contain_text("1")
    expect(figure("Unique participants")).to_contain_text("4")
    expect(figure("Countries represented")).to_contain_text("2")
    expect(figure("Attendance rate")).to_contain_text("87.5")  # 7 of 8 expected check-ins
    expect(figure("Matched pre/post pairs")).to_contain_text("4")
    expect(figure("Feedback responses")).to_contain_text("1")
    with staff.expect_download() as download_info:
        staff.get_by_role("link", name="Donor report (Excel)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    report = tmp_path / download.suggested_filename
    download.save_as(report)
    book = openpyxl.load_workbook(report)
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True)}
    assert summary["Unique participants"] == 4
    assert summary["Matched pre/post pairs"] == 4
    sheet = book["Activities"]
    headings = [cell.value for cell in sheet[1]]
    rows = [dict(zip(headings, row, strict=True)) for row in sheet.iter_rows(2, values_only=True)]
    assert [(r["Title"], r["Participants"], r["Sessions"]) for r in rows] == [(TITLE, 4, 2)]
