"""The shell: dashboards per role, navigation per role, components and error pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from cybercap.accounts.models import Role
from cybercap.core import demo_flag
from cybercap.network.tlp import TLP, TLP_MEANING
from tests.conftest import login
from tests.factories import AgencyFactory, PersonFactory, RoleFactory

pytestmark = pytest.mark.django_db


def _panels(response: Any) -> list[str]:
    return re.findall(r'class="panel panel--([a-z-]+)"', response.content.decode())


@pytest.fixture
def thai_data(thailand: Any, vietnam: Any) -> None:
    agency = AgencyFactory(country=thailand)
    AgencyFactory(country=thailand)
    PersonFactory(agency=agency)
    PersonFactory(agency=agency)
    PersonFactory(agency=agency)
    PersonFactory(agency=AgencyFactory(country=vietnam))


# --- dashboards --------------------------------------------------------------------------------


def test_staff_see_the_programme_overview(
    client_for: Callable[..., Client], thai_data: None
) -> None:
    response = client_for(Role.STAFF).get("/")
    assert response.status_code == 200
    assert _panels(response) == ["staff"]
    staff = response.context["panels"]["staff"]
    assert (staff["agencies"], staff["people"], staff["users"]) == (3, 4, 1)
    assert "Programme overview" in response.content.decode()


def test_a_focal_point_sees_their_country_and_next_steps(
    client_for: Callable[..., Client], thailand: Any, thai_data: None
) -> None:
    response = client_for(Role.FOCAL_POINT, thailand).get("/")
    assert _panels(response) == ["focal-point"]
    (country,) = response.context["panels"]["focal_point"]
    assert (country.code, country.agency_count, country.people_count) == ("TH", 2, 3)
    html = response.content.decode()
    assert "Focal point for Thailand" in html
    assert 'href="/network/countries/TH/"' in html


def test_an_investigator_sees_their_country(
    client_for: Callable[..., Client], vietnam: Any, thai_data: None
) -> None:
    response = client_for(Role.INVESTIGATOR, vietnam).get("/")
    assert _panels(response) == ["investigator"]
    (country,) = response.context["panels"]["investigator"]
    assert (country.code, country.agency_count, country.people_count) == ("VN", 1, 1)


def test_a_reviewer_is_told_what_the_panel_will_list(client_for: Callable[..., Client]) -> None:
    response = client_for(Role.REVIEWER).get("/")
    assert _panels(response) == ["reviewer"]
    assert "No review is assigned to you yet." in response.content.decode()


def test_a_trainer_and_a_learner_see_their_panels(
    make_user: Callable[..., Any], thailand: Any
) -> None:
    from tests.factories import RoleFactory

    user = make_user(Role.TRAINER)
    RoleFactory(user=user, role=Role.LEARNER)
    PersonFactory(user=user, full_name="Ananda Rak", agency=AgencyFactory(country=thailand))
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert _panels(response) == ["trainer", "learner"]
    assert response.context["person"].full_name == "Ananda Rak"


def test_a_user_without_roles_is_told_so(make_user: Callable[..., Any]) -> None:
    client = Client()
    client.force_login(make_user())
    response = client.get("/")
    assert _panels(response) == []
    assert "Your account has no role yet." in response.content.decode()


# The dashboard read (`dashboard_for_user`) runs a fixed number of queries per role.
SELECTOR_QUERIES = {
    Role.STAFF: 7,  # grants, person, country figures, agencies, people, users, audit
    Role.FOCAL_POINT: 3,  # grants, person, the country with its figures
    Role.INVESTIGATOR: 3,
    Role.REVIEWER: 2,  # grants, person
    Role.TRAINER: 2,
    Role.LEARNER: 2,
}


@pytest.mark.parametrize("rows", [1, 3])
@pytest.mark.parametrize("role", list(SELECTOR_QUERIES))
def test_the_dashboard_read_has_a_fixed_number_of_queries(
    role: str,
    rows: int,
    make_user: Callable[..., Any],
    thailand: Any,
    django_assert_num_queries: Any,
) -> None:
    from cybercap.core.selectors import dashboard_for_user

    for _ in range(rows):
        PersonFactory(agency=AgencyFactory(country=thailand))
    country = thailand if role in {Role.FOCAL_POINT, Role.INVESTIGATOR} else None
    user = make_user(role, country)
    with django_assert_num_queries(SELECTOR_QUERIES[role]):
        dashboard_for_user(user=user)


# --- navigation --------------------------------------------------------------------------------


def _links(response: Any) -> list[str]:
    html = response.content.decode()
    nav = html[html.index('<nav class="site-nav"') : html.index("</nav>")]
    return re.findall(r"<a href=\"([^\"]+)\"", nav)


def _groups(response: Any) -> list[tuple[str, list[tuple[str, str]]]]:
    """The menu as shown: each group's label with its (text, target) pairs, in order."""
    html = response.content.decode()
    nav = html[html.index('<nav class="site-nav"') : html.index("</nav>")]
    groups = []
    for label, body in re.findall(
        r'<p class="nav-group__label" id="nav-group-[a-z]+">([^<]+)</p>\s*'
        r'<ul aria-labelledby="nav-group-[a-z]+">(.*?)</ul>',
        nav,
        flags=re.S,
    ):
        links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', body)
        entries = [(text, href) for href, text in links]
        if 'action="/accounts/logout/"' in body:
            entries.append(("Log out", "POST /accounts/logout/"))
        groups.append((label, entries))
    return groups


WORK_STAFF = [
    ("Dashboard", "/"),
    ("Reviews", "/reviews/"),
    ("Activities", "/activities/"),
    ("Programme indicators", "/activities/programme/"),
    ("Courses", "/learn/"),
    ("Evidence register", "/evidence/"),
    ("Certificates", "/certificates/"),
]
DIRECTORY = [
    ("Countries", "/network/countries/"),
    ("Agencies", "/network/agencies/"),
    ("People", "/network/people/"),
    ("Topics", "/network/topics/"),
]
DIRECTORY_WITHOUT_PEOPLE = [entry for entry in DIRECTORY if entry[0] != "People"]
ADMINISTRATION = [("Audit log", "/audit/"), ("Users", "/accounts/users/"), ("Admin", "/admin/")]
ACCOUNT = [
    ("Profile", "/accounts/profile/"),
    ("API tokens", "/accounts/tokens/"),
    ("Log out", "POST /accounts/logout/"),
]
ACCOUNT_SHORT = [("Profile", "/accounts/profile/"), ("Log out", "POST /accounts/logout/")]


def _work(*names: str) -> list[tuple[str, str]]:
    return [entry for entry in WORK_STAFF if entry[0] in names]


def test_staff_see_every_group(client_for: Callable[..., Client]) -> None:
    assert _groups(client_for(Role.STAFF).get("/")) == [
        ("Work", WORK_STAFF),
        ("Directory", DIRECTORY),
        ("Administration", ADMINISTRATION),
        ("Account", ACCOUNT),
    ]


def test_reviewers_see_their_reviews_and_the_directory_without_people(
    client_for: Callable[..., Client],
) -> None:
    assert _groups(client_for(Role.REVIEWER).get("/")) == [
        ("Work", _work("Dashboard", "Reviews", "Activities", "Certificates")),
        ("Directory", DIRECTORY_WITHOUT_PEOPLE),
        ("Account", ACCOUNT),
    ]


def test_focal_points_see_reviews_indicators_courses_and_people_but_no_administration(
    client_for: Callable[..., Client], thailand: Any
) -> None:
    assert _groups(client_for(Role.FOCAL_POINT, thailand).get("/")) == [
        (
            "Work",
            _work(
                "Dashboard",
                "Reviews",
                "Activities",
                "Programme indicators",
                "Courses",
                "Certificates",
            ),
        ),
        ("Directory", DIRECTORY),
        ("Account", ACCOUNT),
    ]


def test_trainers_see_the_evidence_register_and_the_directory_without_people(
    client_for: Callable[..., Client],
) -> None:
    assert _groups(client_for(Role.TRAINER).get("/")) == [
        ("Work", _work("Dashboard", "Activities", "Evidence register", "Certificates")),
        ("Directory", DIRECTORY_WITHOUT_PEOPLE),
        ("Account", ACCOUNT),
    ]


def test_investigators_see_the_evidence_register_and_people(
    client_for: Callable[..., Client], thailand: Any
) -> None:
    assert _groups(client_for(Role.INVESTIGATOR, thailand).get("/")) == [
        ("Work", _work("Dashboard", "Activities", "Evidence register", "Certificates")),
        ("Directory", DIRECTORY),
        ("Account", ACCOUNT),
    ]


def test_learners_see_a_short_menu_without_the_directory(
    client_for: Callable[..., Client],
) -> None:
    assert _groups(client_for(Role.LEARNER).get("/")) == [
        ("Learning", _work("Dashboard", "Activities", "Courses", "Certificates")),
        ("Account", ACCOUNT_SHORT),
    ]


def test_learners_reach_their_api_tokens_from_their_profile(
    client_for: Callable[..., Client],
) -> None:
    html = client_for(Role.LEARNER).get("/accounts/profile/").content.decode()
    main = html[html.index("<main") :]
    assert main.count('<a href="/accounts/tokens/">Personal API tokens for scripts</a>') == 1


def test_a_learner_who_is_also_a_focal_point_sees_the_focal_point_menu(
    make_user: Callable[..., Any], thailand: Any
) -> None:
    user = make_user(Role.LEARNER)
    RoleFactory(user=user, role=Role.FOCAL_POINT, country=thailand)
    groups = _groups(login(Client(), user).get("/"))
    assert [label for label, _ in groups] == ["Work", "Directory", "Account"]
    assert groups[1] == ("Directory", DIRECTORY)


def test_an_account_without_a_role_sees_only_the_common_links(
    client_for: Callable[..., Client],
) -> None:
    assert _groups(client_for(None).get("/")) == [
        ("Work", _work("Dashboard", "Activities", "Certificates")),
        ("Account", ACCOUNT_SHORT),
    ]


def test_the_groups_hold_every_link_of_the_menu(client_for: Callable[..., Client]) -> None:
    """No link sits outside a labelled group."""
    response = client_for(Role.STAFF).get("/")
    grouped = [href for _, entries in _groups(response) for _, href in entries]
    assert [h for h in grouped if not h.startswith("POST ")] == _links(response)


def test_the_current_page_is_marked(client_for: Callable[..., Client], thailand: Any) -> None:
    html = client_for(Role.STAFF).get("/network/countries/").content.decode()
    assert re.findall(r'<a href="([^"]+)" aria-current="(\w+)"', html) == [
        ("/network/countries/", "page")
    ]
    detail = client_for(Role.STAFF).get("/network/countries/TH/").content.decode()
    assert '<a href="/network/countries/" aria-current="true">' in detail


def test_anonymous_visitors_see_only_log_in(client: Client) -> None:
    response = client.get("/accounts/login/")
    assert _links(response) == ["/accounts/login/"]


# --- layout, demo notice, components -------------------------------------------------------------


def test_the_layout_has_landmarks_and_a_skip_link(client_for: Callable[..., Client]) -> None:
    html = client_for(Role.LEARNER).get("/").content.decode()
    body = html[html.index("<body") :]
    assert body.index('<a class="skip-link" href="#main">') < body.index("<header")
    for tag in ('<header class="site-header">', '<nav class="site-nav"', '<main id="main"'):
        assert html.count(tag) == 1
    assert html.count("<footer") == 1


def test_no_page_of_the_shell_has_inline_script_or_style(
    client_for: Callable[..., Client], thai_data: None
) -> None:
    client = client_for(Role.STAFF)
    for url in (
        "/",
        "/network/countries/",
        "/network/countries/TH/",
        "/network/agencies/",
        "/network/people/",
        "/network/topics/",
        "/nowhere/",
    ):
        html = client.get(url).content.decode()
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], url
        assert re.findall(r"\sstyle=|<style", html) == [], url
        assert re.findall(r"\son[a-z]+=", html) == [], url


def test_every_page_says_demo_data_when_there_is_some(
    client_for: Callable[..., Client], thailand: Any
) -> None:
    client = client_for(Role.LEARNER)
    assert "Demo data" not in client.get("/").content.decode()
    AgencyFactory(country=thailand, is_demo=True)
    demo_flag.forget()
    for url in ("/", "/network/countries/", "/network/topics/", "/nowhere/"):
        html = client.get(url).content.decode()
        assert (
            '<p class="demo-banner">Demo data: every country, agency and person shown here is '
            "synthetic.</p>"
        ) in html, url


@pytest.mark.parametrize(
    ("label", "css"),
    [
        (TLP.CLEAR, "tlp--clear"),
        (TLP.GREEN, "tlp--green"),
        (TLP.AMBER, "tlp--amber"),
        (TLP.AMBER_STRICT, "tlp--amber-strict"),
        (TLP.RED, "tlp--red"),
    ],
)
def test_the_tlp_banner_names_the_label_and_its_meaning(label: str, css: str) -> None:
    html = render_to_string("components/tlp_banner.html", {"label": label})
    assert f'<div class="tlp {css}" role="note" aria-label="Sensitivity">' in html
    assert f"<strong>TLP:{label}</strong> <span>{TLP_MEANING[TLP(label)]}</span>" in html


def test_the_stylesheet_styles_every_tlp_label() -> None:
    from pathlib import Path

    import cybercap

    css = (Path(cybercap.__file__).parent / "static/cybercap/css/cybercap.css").read_text()
    for label in TLP:
        assert f".tlp--{label.value.lower().replace('+', '-')}" in css


class _Sample(forms.Form):
    name = forms.CharField(label="Name", max_length=5, help_text="Five letters at most.")


def test_a_field_keeps_what_was_typed_and_describes_its_error() -> None:
    form = _Sample({"name": "Somchai"})
    assert form.is_valid() is False
    html = render_to_string("components/field.html", {"field": form["name"]})
    assert 'value="Somchai"' in html
    assert 'aria-describedby="id_name_helptext id_name_error0"' in html
    assert 'aria-invalid="true"' in html
    assert (
        '<p class="error" id="id_name_error0">'
        "Ensure this value has at most 5 characters (it has 7).</p>"
    ) in html


def test_flash_messages_are_shown_once(client: Client, make_user: Callable[..., Any]) -> None:
    client.force_login(make_user(Role.LEARNER))
    response = client.post("/accounts/logout/", follow=True)
    html = response.content.decode()
    assert '<div class="messages" role="status">' in html
    assert '<p class="message message--success">You have logged out.</p>' in html
    assert "You have logged out." not in client.get("/accounts/login/").content.decode()


# --- error pages ---------------------------------------------------------------------------------


def test_404_is_shown_in_the_layout(client_for: Callable[..., Client]) -> None:
    response = client_for(Role.LEARNER).get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Not found</h1>" in html
    assert '<nav class="site-nav"' in html


def test_403_and_500_pages_render(make_user: Callable[..., Any]) -> None:
    from cybercap.core import views

    request = RequestFactory().get("/somewhere/")
    request.user = make_user(Role.LEARNER)
    forbidden = views.permission_denied(request)
    assert forbidden.status_code == 403
    assert "<h1>Not allowed</h1>" in forbidden.content.decode()
    broken = views.server_error(request)
    assert broken.status_code == 500
    html = broken.content.decode()
    assert "<h1>Something went wrong on our side</h1>" in html
    assert '<main id="main" tabindex="-1">' in html


def test_the_language_switcher_changes_the_page_language(
    client_for: Callable[..., Client],
) -> None:
    client = client_for(Role.LEARNER)
    response = client.post("/i18n/setlang/", {"language": "th", "next": "/"}, follow=True)
    assert response.status_code == 200
    assert re.search(r'<html lang="([\w-]+)"', response.content.decode()).group(1) == "th"  # type: ignore[union-attr]
    assert '<option value="th" lang="th" selected>' in response.content.decode()


def test_the_shell_static_files_are_found() -> None:
    from django.contrib.staticfiles import finders

    for name in ("cybercap/css/cybercap.css", "cybercap/js/shell.js", "cybercap/favicon.svg"):
        assert finders.find(name) is not None, name


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_colours_meet_wcag_aa_contrast() -> None:
    from pathlib import Path

    import cybercap

    css = (Path(cybercap.__file__).parent / "static/cybercap/css/cybercap.css").read_text()

    def colour(selector: str, prop: str = "color") -> str:
        match = re.search(
            re.escape(selector) + r"[^{]*\{[^}]*?\b" + prop + r":\s*(#[0-9a-f]{6})", css
        )
        assert match is not None, selector
        return match.group(1)

    def var(name: str) -> str:
        match = re.search(r"--" + name + r":\s*(#[0-9a-f]{6})", css)
        assert match is not None, name
        return match.group(1)

    pairs = {
        "TLP:CLEAR on black": (colour(".tlp--clear"), "#000000"),
        "TLP:GREEN on black": (colour(".tlp--green"), "#000000"),
        "TLP:AMBER on black": (colour(".tlp--amber, .tlp--amber-strict"), "#000000"),
        "TLP:RED on black": (colour(".tlp--red"), "#000000"),
        "header": ("#ffffff", var("header")),
        "demo banner": (colour(".demo-banner"), colour(".demo-banner", "background")),
        "body text": (var("ink"), var("paper")),
        "muted text on the wash": (var("muted"), var("wash")),
        "links": (var("accent"), var("paper")),
        "buttons": (var("accent-ink"), var("accent")),
        "errors": (var("danger"), var("paper")),
    }
    ratios = {name: round(_contrast(*pair), 2) for name, pair in pairs.items()}
    assert {name: ratio for name, ratio in ratios.items() if ratio < 4.5} == {}, ratios
