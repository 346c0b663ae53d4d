"""Every URL Django resolves x every role: who gets 200, who gets 302/403/404.

The URL list comes from the resolver, so a new view is checked the moment it exists: a URL that
no rule below classifies fails the test. After the matrix, every page a Thai focal point could
read (web and API) is searched for a Vietnamese person's name and e-mail: they must never appear.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cybercap.accounts.models import ApiToken
from cybercap.accounts.tokens import token_create
from tests.access import (
    PERSONAS,
    SIGNED_IN,
    TH_SCOPE,
    Rule,
    World,
    everyone,
    only,
    plugin_rules,
    populate_plugins,
)
from tests.conftest import login
from tests.factories import (
    AgencyFactory,
    CountryFactory,
    PersonFactory,
    RoleFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# --- the rules --------------------------------------------------------------------------------

RULES: list[Rule] = [
    # core
    Rule("core:dashboard", everyone(200, anonymous=302)),
    Rule("core:healthz", everyone(200)),
    Rule("core:audit_list", only(["staff"], 200, 403)),
    # accounts: public pages
    Rule("accounts:login", everyone(302, anonymous=200)),
    Rule("accounts:logout", everyone(405)),
    Rule("accounts:logout", everyone(302), method="POST"),
    Rule("accounts:password_reset", everyone(200)),
    Rule("accounts:password_reset_done", everyone(200)),
    Rule("accounts:password_reset_complete", everyone(200)),
    Rule(
        "accounts:password_reset_confirm",
        everyone(200),
        kwargs=lambda w: {"uidb64": "MQ", "token": "set-password"},
        label="an invalid link",
    ),
    # accounts: one's own account
    Rule("accounts:otp_verify", everyone(302)),
    Rule("accounts:otp_setup", everyone(200, anonymous=302)),
    Rule("accounts:backup_codes", everyone(405, anonymous=302)),
    Rule("accounts:two_factor_off", everyone(405, anonymous=302)),
    Rule("accounts:password_change", everyone(200, anonymous=302)),
    Rule("accounts:password_change_done", everyone(200, anonymous=302)),
    Rule("accounts:profile", everyone(200, anonymous=302)),
    Rule("accounts:tokens", everyone(200, anonymous=302)),
    Rule("accounts:token_create", everyone(302)),  # a GET goes back to the list
    Rule(
        "accounts:token_revoke",
        only(["staff"], 302, 404),
        kwargs=lambda w: {"prefix": w.staff_token.prefix},
        method="POST",
        label="staff's own token",
    ),
    Rule(
        "accounts:token_revoke",
        everyone(405, anonymous=302),
        kwargs=lambda w: {"prefix": w.staff_token.prefix},
    ),
    # accounts: staff pages
    Rule("accounts:user_list", only(["staff"], 200, 403)),
    Rule(
        "accounts:user_detail",
        only(["staff"], 200, 403),
        kwargs=lambda w: {"pk": w.users["focal_th"].pk},
    ),
    *[
        Rule(
            f"accounts:{name}",
            only(["staff"], 405, 403),
            kwargs=lambda w: {"pk": w.users["learner"].pk},
        )
        for name in ("role_add", "user_deactivate", "user_reactivate")
    ],
    Rule(
        "accounts:role_remove",
        only(["staff"], 405, 403),
        kwargs=lambda w: {
            "pk": w.users["learner"].pk,
            "assignment_pk": w.users["learner"].role_assignments.get().pk,
        },
    ),
    Rule(
        "accounts:role_remove",
        only(["staff"], 302, 403),
        kwargs=lambda w: {
            "pk": w.users["learner"].pk,
            "assignment_pk": w.users["learner"].role_assignments.get().pk,
        },
        method="POST",
    ),
    Rule(
        "accounts:user_deactivate",
        only(["staff"], 302, 403),
        kwargs=lambda w: {"pk": w.users["trainer"].pk},
        method="POST",
    ),
    # network: reference data for every signed-in user
    Rule("network:country_list", everyone(200, anonymous=302)),
    Rule("network:country_detail", everyone(200, anonymous=302), kwargs=lambda w: {"code": "VN"}),
    Rule("network:country_detail", everyone(404, anonymous=302), kwargs=lambda w: {"code": "ZZ"}),
    Rule("network:agency_list", everyone(200, anonymous=302)),
    Rule(
        "network:agency_detail",
        everyone(200, anonymous=302),
        kwargs=lambda w: {"pk": w.vn_agency.pk},
    ),
    Rule("network:topic_list", everyone(200, anonymous=302)),
    # network: people are scoped by country
    Rule("network:person_list", everyone(200, anonymous=302)),
    Rule(
        "network:person_detail",
        only(TH_SCOPE, 200, 404),
        kwargs=lambda w: {"pk": w.th_person.pk},
        label="a Thai person",
    ),
    Rule(
        "network:person_detail",
        only(["staff"], 200, 404),
        kwargs=lambda w: {"pk": w.vn_person.pk},
        label="a Vietnamese person",
    ),
    Rule("set_language", everyone(302)),
    # the API (token or session; anonymous gets 401)
    Rule("api:openapi-json", everyone(200)),
    Rule("api:api-root", everyone(404)),
    Rule("api:unknown_path", everyone(404), kwargs=lambda w: {"rest": "nothing/here"}),
    Rule("api:country_list", everyone(200, anonymous=401)),
    Rule("api:country_detail", everyone(200, anonymous=401), kwargs=lambda w: {"code": "VN"}),
    Rule("api:agency_list", everyone(200, anonymous=401)),
    Rule(
        "api:agency_detail", everyone(200, anonymous=401), kwargs=lambda w: {"id": w.vn_agency.pk}
    ),
    Rule("api:agency_detail", everyone(404, anonymous=401), kwargs=lambda w: {"id": 987654}),
    Rule("api:topic_list", everyone(200, anonymous=401)),
    Rule("api:topic_detail", everyone(200, anonymous=401), kwargs=lambda w: {"key": w.topic.key}),
    Rule("api:me", everyone(200, anonymous=401)),
    # Django admin: staff only (is_staff and a verified second factor)
    Rule("admin:*", only(["staff"], 200, 302, anonymous=302), label="admin page"),
    Rule("admin:logout", only(["staff"], 405, 302, anonymous=302)),
    Rule("admin:login", only(["staff"], 302, 200, anonymous=200)),
    Rule("admin:autocomplete", only(["staff"], 403, 302, anonymous=302), label="no field given"),
    # Records that are never added or deleted by hand: history is kept, tokens are made by
    # their owner, the audit log is append-only.
    *[
        Rule(f"admin:{name}", only(["staff"], 403, 302, anonymous=302), label="read-only")
        for name in (
            "accounts_apitoken_add",
            "accounts_apitoken_delete",
            "accounts_user_delete",
            "axes_accessattempt_add",
            "axes_accessfailurelog_add",
            "axes_accesslog_add",
            "core_auditentry_add",
            "core_auditentry_delete",
            "django_tasks_database_dbtaskresult_add",
            "django_tasks_database_dbtaskresult_delete",
        )
    ],
    Rule("admin:view_on_site", only(["staff"], 404, 302, anonymous=302)),
]

# Admin URLs whose kwargs come from the admin registry (object pages) or are special.
ADMIN_SPECIAL = {"admin:logout", "admin:view_on_site"}


# --- the machinery ----------------------------------------------------------------------------


def url_names() -> Iterator[tuple[str, list[str]]]:
    """(namespaced name, kwarg names) for every pattern the resolver knows."""

    def walk(resolver: URLResolver, namespace: str | None) -> Iterator[tuple[str, list[str]]]:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                yield from walk(entry, inner)
            elif isinstance(entry, URLPattern):
                if not entry.name and namespace == "admin":
                    continue  # Django admin's own redirect from <id>/ to <id>/change/
                assert entry.name, f"an unnamed URL pattern: {entry.pattern}"
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                yield name, list(entry.pattern.regex.groupindex)

    seen: dict[str, list[str]] = {}
    for name, kwargs in walk(get_resolver(), None):
        seen.setdefault(name, kwargs)
    yield from seen.items()


def admin_kwargs(name: str, kwarg_names: list[str], world: World) -> dict[str, Any] | None:
    if not kwarg_names:
        return {}
    if kwarg_names == ["app_label"]:
        return {"app_label": "accounts"}
    if kwarg_names == ["pk"] and name.startswith("admin:otp_totp_totpdevice_"):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        return {"pk": TOTPDevice.objects.order_by("pk").first().pk}  # type: ignore[union-attr]
    if "object_id" in kwarg_names:
        for model in admin.site._registry:
            prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
            if name.startswith(prefix):
                obj = model._default_manager.order_by("pk").first()
                if obj is None:
                    return None
                return {"object_id": obj.pk}
    if name == "admin:auth_user_password_change" or name.endswith("_password_change"):
        return {"id": world.users["learner"].pk}
    if name == "admin:view_on_site":
        return {"content_type_id": 1, "object_id": 1}
    return None


def build_world(client_factory: Callable[[], Client]) -> World:
    th = CountryFactory(code="TH", name="Thailand")
    vn = CountryFactory(code="VN", name="Viet Nam")
    th_agency = AgencyFactory(country=th, name="Thai Police Cyber Unit")
    vn_agency = AgencyFactory(country=vn, name="Vietnam Cyber Police Department")
    th_person = PersonFactory(agency=th_agency, full_name="สมหญิง ทดสอบ", email="th@example.org")
    vn_person = PersonFactory(
        agency=vn_agency, full_name="Hoàng Thị Bí Mật", email="secret.vn@example.org"
    )
    topic = TopicFactory(key="digital-forensics", name="Digital forensics")
    users: dict[str, Any] = {}
    for persona in SIGNED_IN:
        role = {"focal_th": "focal_point", "investigator_th": "investigator"}.get(persona, persona)
        country = th if persona in ("focal_th", "investigator_th") else None
        user = UserFactory(username=persona, is_staff=persona == "staff")
        RoleFactory(user=user, role=role, country=country)
        users[persona] = user
    PersonFactory(agency=th_agency, full_name="Learner Self", user=users["learner"])
    _admin_samples(users)
    staff_token, _ = token_create(user=users["staff"], name="matrix")
    learner_token, _ = token_create(user=users["learner"], name="matrix")
    world = World(
        th,
        vn,
        th_agency,
        vn_agency,
        th_person,
        vn_person,
        topic,
        users,
        staff_token,
        learner_token,
    )
    populate_plugins(world)
    return world


def _admin_samples(users: dict[str, Any]) -> None:
    """One row of every model the admin shows, so that its object pages are checked too."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from cybercap.accounts import otp
    from cybercap.core.tasks import send_email

    Group.objects.create(name="Programme team")
    otp.totp_device_create(user=users["staff"], confirmed=True)
    otp.backup_codes_regenerate(user=users["staff"])
    common = {
        "user_agent": "test",
        "ip_address": "127.0.0.1",
        "username": "learner",
        "http_accept": "text/html",
        "path_info": "/accounts/login/",
        "attempt_time": timezone.now(),
    }
    AccessAttempt.objects.create(**common, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**common)
    AccessFailureLog.objects.create(**common)
    send_email.enqueue(subject="s", body="b", to=["a@example.org"])


def client_for(persona: str, world: World) -> Client:
    client = Client()
    if persona != "anonymous":
        login(client, world.users[persona])
    return client


def test_every_url_is_classified_and_every_role_gets_what_its_rule_says() -> None:
    world = build_world(Client)
    rules = RULES + plugin_rules()
    names = dict(url_names())
    unclassified = [
        name for name in names if not any(fnmatch.fnmatchcase(name, r.pattern) for r in rules)
    ]
    assert unclassified == [], f"URLs that no rule classifies: {unclassified}"

    checks: list[tuple[str, str, Rule, dict[str, Any]]] = []
    for name, kwarg_names in sorted(names.items()):
        matching = [r for r in rules if fnmatch.fnmatchcase(name, r.pattern)]
        exact = [r for r in matching if r.pattern == name]
        for rule in exact or matching:
            if rule.kwargs is not None:
                kwargs = rule.kwargs(world)
            elif name.startswith("admin:") and name not in ADMIN_SPECIAL:
                found = admin_kwargs(name, kwarg_names, world)
                assert found is not None, f"no sample object for {name} {kwarg_names}"
                kwargs = found
            elif name in ADMIN_SPECIAL and kwarg_names:
                kwargs = admin_kwargs(name, kwarg_names, world) or {}
            else:
                assert not kwarg_names, f"rule for {name} needs kwargs {kwarg_names}"
                kwargs = {}
            checks.append((name, reverse(name, kwargs=kwargs), rule, kwargs))

    mismatches: list[str] = []
    leaks: list[str] = []
    # State-changing requests last, so that they do not change what earlier ones see.
    checks.sort(key=lambda c: (c[2].method != "GET", c[0]))
    for persona in PERSONAS:
        reading = client_for(persona, world)
        for name, url, rule, _ in checks:
            # A fresh session for each write: a POST may log out or revoke.
            client = reading if rule.method == "GET" else client_for(persona, world)
            response = client.generic(rule.method, url)
            expected = rule.expect[persona]
            if response.status_code != expected:
                mismatches.append(
                    f"{persona:<16} {rule.method:<4} {url:<60} {name} {rule.label}: "
                    f"got {response.status_code}, expected {expected}"
                )
            if persona == "focal_th" and response.status_code == 200:
                body = response.content.decode("utf-8", "replace")
                for secret in (world.vn_person.full_name, world.vn_person.email):
                    if secret in body:
                        leaks.append(f"{url} shows {secret!r} to the Thai focal point")
        # Restore what the POSTs changed, for the next persona.
        world.staff_token.refresh_from_db()
        ApiToken.objects.filter(pk=world.staff_token.pk).update(revoked_at=None)
        type(world.users["trainer"])._default_manager.filter(pk=world.users["trainer"].pk).update(
            is_active=True, deactivated_at=None
        )
        if not world.users["learner"].role_assignments.exists():
            RoleFactory(user=world.users["learner"], role="learner")
    assert mismatches == [], "\n".join(mismatches)
    assert leaks == []


def test_the_api_with_a_token_is_scoped_like_the_web() -> None:
    world = build_world(Client)
    _, th_token = token_create(user=world.users["focal_th"], name="api")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {th_token}")
    me = client.get("/api/v1/me").json()
    assert me["username"] == "focal_th"
    assert [(r["role"], r["country"]) for r in me["roles"]] == [("focal_point", "TH")]
    for path in ("/api/v1/countries", "/api/v1/agencies", "/api/v1/topics", "/api/v1/me"):
        body = client.get(path).content.decode()
        assert world.vn_person.full_name not in body
        assert world.vn_person.email not in body
    assert Client().get("/api/v1/me").status_code == 401
