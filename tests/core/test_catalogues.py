"""The gettext catalogues for Indonesian, Thai and Vietnamese: they compile, the build compiled
them, every string a learner sees is translated, and pages render translated through the stack.

What counts as learner-facing is :data:`LEARNER`, minus :data:`STAFF_ONLY` (docs/translations.md
says the same in prose). Staff-only pages may stay in English.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from fnmatch import fnmatch
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

import cybercap
from cybercap.accounts.models import User
from tests.conftest import login
from tests.core.po import Entry, parse
from tests.quizzes.helpers import loaded_course  # noqa: F401 - a fixture

PACKAGE = Path(cybercap.__file__).parent
LOCALE = PACKAGE / "locale"
LANGUAGES = ["id", "th", "vi"]

# Source files (relative to the package) whose strings a learner can see ...
LEARNER = [
    "templates/*",  # the shell: layout, navigation, language switcher, messages, error pages
    "settings.py",  # the language names in the switcher
    "api/base.py",  # the API's error messages
    "accounts/*",
    "certificates/*",
    "core/templates/core/dashboard.html",
    "elearning/*",
    "quizzes/*",
    "network/*",  # the directory a learner can browse (countries, agencies, topics; TLP labels)
    # Activities as a participant sees them: the list, an activity, materials, one's own
    # registrations, the confirmation page and e-mail, the evaluation survey.
    "activities/models.py",
    "activities/confirmation.py",
    "activities/evaluation_forms.py",
    "activities/templates/activities/_activity_nav.html",
    "activities/templates/activities/activity_list*.html",
    "activities/templates/activities/activity_detail.html",
    "activities/templates/activities/material_list.html",
    "activities/templates/activities/my_registrations.html",
    "activities/templates/activities/confirmation_*.html",
    "activities/templates/activities/email/confirmation_*.txt",
    "activities/templates/activities/evaluation_take.html",
    "activities/templates/activities/evaluation_survey.html",
]
# ... except these, which only staff (or trainers and focal points) open.
STAFF_ONLY = [
    "*/admin.py",
    "*/management/*",
    "accounts/templates/accounts/user_list.html",
    "accounts/templates/accounts/user_detail.html",
    "certificates/templates/certificates/activity_issue.html",
    "certificates/templates/certificates/manage_*.html",
    "elearning/analytics*.py",
    "elearning/templates/elearning/analytics*.html",
    "elearning/templates/elearning/report.html",
    "network/templates/network/person_*.html",
]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%|\{\w*\}")


def learner_facing(path: str) -> bool:
    return any(fnmatch(path, p) for p in LEARNER) and not any(fnmatch(path, p) for p in STAFF_ONLY)


def catalogue(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def learner_msgids(tmp_path_factory: pytest.TempPathFactory) -> list[Entry]:
    """The messages of the learner-facing sources, extracted by `makemessages` itself."""
    root = tmp_path_factory.mktemp("learner-sources")
    for source in PACKAGE.rglob("*"):
        relative = source.relative_to(PACKAGE).as_posix()
        if source.suffix in {".py", ".html", ".txt"} and learner_facing(relative):
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, root / relative)
    (root / "locale").mkdir()
    previous = Path.cwd()
    try:
        os.chdir(root)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(settings, "LOCALE_PATHS", [str(root / "locale")])
            call_command("makemessages", locale=["id"], keep_pot=True, verbosity=0)
    finally:
        os.chdir(previous)
    entries = parse(root / "locale" / "django.pot")[1:]
    assert len(entries) > 400, "the extraction found too few messages: is the scope right?"
    return entries


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_passes_msgfmt_check(language: str, tmp_path: Path) -> None:
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(catalogue(language))],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "django.mo").stat().st_size > 10_000
    header = parse(catalogue(language))[0]
    assert header.msgid == "" and "fuzzy" not in header.flags
    assert f"Language: {language}\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=1; plural=0;" in header.msgstr[0]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_build_compiled_the_catalogue(language: str) -> None:
    po = catalogue(language)
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: `make messages` (make demo / make test) compiles it"
    assert mo.stat().st_mtime >= po.stat().st_mtime, f"{mo} is older than its .po: `make messages`"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_learner_facing_message_is_translated(
    language: str, learner_msgids: list[Entry]
) -> None:
    translated = {e.key: e for e in parse(catalogue(language))[1:]}
    missing, fuzzy_or_empty, placeholders = [], [], []
    for wanted in learner_msgids:
        entry = translated.get(wanted.key)
        if entry is None:
            missing.append(wanted.msgid)
        elif not entry.translated:
            fuzzy_or_empty.append(wanted.msgid)
        else:
            source = wanted.msgid_plural if wanted.msgid_plural is not None else wanted.msgid
            for text in entry.msgstr.values():
                if sorted(set(PLACEHOLDER.findall(source))) != sorted(
                    set(PLACEHOLDER.findall(text))
                ):
                    placeholders.append((wanted.msgid, text))
    hint = "run `cybercap makemessages -l id -l th -l vi` in src/cybercap and translate"
    assert missing == [], f"not in {language}/django.po ({hint}): {missing}"
    assert fuzzy_or_empty == [], f"untranslated or fuzzy in {language}: {fuzzy_or_empty}"
    assert placeholders == [], f"placeholders differ in {language}: {placeholders}"


def test_the_scope_excludes_staff_pages_only() -> None:
    assert learner_facing("accounts/templates/accounts/login.html")
    assert learner_facing("elearning/templates/elearning/course_detail.html")
    assert learner_facing("templates/errors/404.html")
    assert not learner_facing("accounts/templates/accounts/user_list.html")
    assert not learner_facing("elearning/templates/elearning/analytics.html")
    assert not learner_facing("reviews/templates/reviews/review_list.html")
    assert not learner_facing("core/templates/core/audit_list.html")


# What the stack renders: the same page in each language, chosen three ways.
LOGIN = {
    "id": ["Masuk", "Lupa kata sandi?", "Buat akun", "Langsung ke konten utama"],
    "th": ["เข้าสู่ระบบ", "ลืมรหัสผ่านใช่ไหม", "สร้างบัญชี", "ข้ามไปยังเนื้อหาหลัก"],
    "vi": ["Đăng nhập", "Quên mật khẩu?", "Tạo tài khoản", "Chuyển đến nội dung chính"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_login_page_in_the_accept_language(client: Client, language: str) -> None:
    body = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<html lang="{language}"' in body
    for text in LOGIN[language]:
        assert text in body
    assert "Forgotten your password?" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_language_switcher_then_cookie(client: Client, language: str) -> None:
    response = client.post("/i18n/setlang/", {"language": language, "next": "/accounts/login/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    body = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for text in LOGIN[language]:
        assert text in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("id", ["Tidak ditemukan", "Kembali ke dasbor Anda"]),
        ("th", ["ไม่พบหน้า", "กลับไปที่แดชบอร์ดของคุณ"]),
        ("vi", ["Không tìm thấy", "Quay lại bảng điều khiển của bạn"]),
    ],
)
def test_error_page_translated(client: Client, language: str, texts: list[str]) -> None:
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    for text in texts:
        assert text in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "detail"),
    [("id", "Tidak ditemukan."), ("th", "ไม่พบ"), ("vi", "Không tìm thấy.")],
)
def test_api_error_translated(client: Client, language: str, detail: str) -> None:
    response = client.get("/api/v1/no-such-thing", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert response.json()["detail"] == detail


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("id", ["Kursus", "0 dari 10 modul selesai (0%).", "Keluar"]),
        ("th", ["หลักสูตร", "เรียนจบ 0 จาก 10 โมดูล (0%)", "ออกจากระบบ"]),
        ("vi", ["Khóa học", "Đã hoàn thành 0 / 10 mô-đun (0%).", "Đăng xuất"]),
    ],
)
@pytest.mark.usefixtures("loaded_course")
def test_course_page_in_the_learners_language(
    make_user: Callable[..., User],
    language: str,
    texts: list[str],
) -> None:
    user = make_user("learner")
    client = login(Client(), user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/learn/first-responder/")
    assert response.status_code == 200
    body = response.content.decode()
    for text in texts:
        assert text in body
    assert "modules complete" not in body
