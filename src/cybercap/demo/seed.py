"""The synthetic demo data set for the shared vocabulary and accounts.

Every agency, person and account made here is invented, flagged ``is_demo`` and shown under a
"demo data" banner. Names keep their scripts and diacritics. Idempotent: a second run finds
everything in place and creates nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from cybercap.accounts import otp
from cybercap.accounts.models import TWO_FACTOR_ROLES, RoleAssignment, User
from cybercap.core import audit
from cybercap.demo.registry import DemoLogin, DemoReport
from cybercap.network.models import Agency, AgencyKind, Country, Gender, Person

# (local-script name, Latin-script name, gender) per member country, all invented combinations.
NAMES: dict[str, list[tuple[str, str, str]]] = {
    "BN": [
        ("Mohd Hafiz bin Haji Salleh", "", "male"),
        ("Nur Syazwani binti Abdullah", "", "female"),
        ("Awang Khairul Anuar", "", "male"),
        ("Dayang Siti Aminah", "", "female"),
        ("Pengiran Azmi bin Pengiran Omar", "", "male"),
        ("Hajah Rosnah binti Md Yusof", "", "female"),
    ],
    "KH": [
        ("សុខ ដារ៉ា", "Sok Dara", "male"),
        ("ចាន់ សុភា", "Chan Sophea", "female"),
        ("ហេង វិចិត្រ", "Heng Vichet", "male"),
        ("លី ស្រីពៅ", "Ly Srey Pov", "female"),
        ("គឹម សុវណ្ណ", "Kim Sovann", "male"),
        ("ម៉ៅ ចន្ទ្រា", "Mao Chantrea", "female"),
    ],
    "ID": [
        ("Budi Santoso", "", "male"),
        ("Siti Rahmawati", "", "female"),
        ("Agus Pratama", "", "male"),
        ("Dewi Lestari Putri", "", "female"),
        ("I Made Wirawan", "", "male"),
        ("Ratna Sari Harahap", "", "female"),
    ],
    "LA": [
        ("ສົມພອນ ພົມມະຈັນ", "Somphone Phommachanh", "male"),
        ("ບຸນມີ ແກ້ວມະນີ", "Bounmy Keomany", "female"),
        ("ວິໄລ ສີສຸວັນ", "Vilay Sisouvanh", "female"),
        ("ທອງສະຫວັນ ໄຊຍະວົງ", "Thongsavanh Xayavong", "male"),
        ("ຄຳຫຼ້າ ວົງສາ", "Khamla Vongsa", "female"),
        ("ສຸລິຍາ ບຸບຜາ", "Souliya Bouppha", "male"),
    ],
    "MY": [
        ("Muhammad Faiz bin Ismail", "", "male"),
        ("Nurul Aisyah binti Ahmad", "", "female"),
        ("Tan Mei Ling", "", "female"),
        ("Rajesh a/l Kumar", "", "male"),
        ("Lim Chee Keong", "", "male"),
        ("Siti Khadijah binti Razak", "", "female"),
    ],
    "MM": [
        ("အောင်ကျော်မိုး", "Aung Kyaw Moe", "male"),
        ("သီတာဝင်း", "Thida Win", "female"),
        ("ဇော်မင်းထွန်း", "Zaw Min Htun", "male"),
        ("နီလာဦး", "Nilar Oo", "female"),
        ("ကျော်စွာလင်း", "Kyaw Swar Lin", "male"),
        ("မြတ်နိုးခိုင်", "Myat Noe Khaing", "female"),
    ],
    "PH": [
        ("Maria Cristina Dela Cruz", "", "female"),
        ("Jose Miguel Santos", "", "male"),
        ("Ana Liza Reyes", "", "female"),
        ("Ramon Villanueva", "", "male"),
        ("Kristine Joy Bautista", "", "female"),
        ("Paolo Mañalac", "Paolo Manalac", "male"),
    ],
    "SG": [
        ("Lim Wei Jie", "", "male"),
        ("Priya Nair", "", "female"),
        ("Daniel Tan Kok Leong", "", "male"),
        ("Nur Hidayah binte Osman", "", "female"),
        ("Goh Xin Yi", "", "female"),
        ("Arjun Pillai", "", "male"),
    ],
    "TH": [
        ("สมชาย ใจดี", "Somchai Jaidee", "male"),
        ("สุดารัตน์ วงศ์ไทย", "Sudarat Wongthai", "female"),
        ("ประยุทธ ศรีสุข", "Prayut Srisuk", "male"),
        ("นภาพร แสงทอง", "Napaporn Saengthong", "female"),
        ("วีระพงษ์ บุญมา", "Weerapong Boonma", "male"),
        ("กัญญา รัตนพันธ์", "Kanya Rattanaphan", "female"),
    ],
    "VN": [
        ("Nguyễn Thị Lan", "Nguyen Thi Lan", "female"),
        ("Trần Văn Minh", "Tran Van Minh", "male"),
        ("Lê Hoàng Anh", "Le Hoang Anh", "male"),
        ("Phạm Thu Hà", "Pham Thu Ha", "female"),
        ("Đỗ Quang Huy", "Do Quang Huy", "male"),
        ("Vũ Ngọc Ánh", "Vu Ngoc Anh", "female"),
    ],
    "TL": [
        ("Maria da Costa Soares", "", "female"),
        ("Domingos Pereira", "", "male"),
        ("Ermelinda Ximenes", "", "female"),
        ("João Belo Amaral", "", "male"),
        ("Natália Guterres", "", "female"),
        ("Agostinho Freitas", "", "male"),
    ],
}

AGENCY_TEMPLATES: list[tuple[str, str, str]] = [
    ("National Police Cybercrime Unit", "NPCU", AgencyKind.POLICE_CYBER_UNIT),
    ("Office of the Public Prosecutor, Cybercrime Desk", "OPP", AgencyKind.PROSECUTION),
    ("National Computer Emergency Response Team", "CERT", AgencyKind.CERT),
    ("Ministry of Digital Affairs", "MDA", AgencyKind.MINISTRY),
    ("Institute of Technology, Digital Forensics Lab", "DFL", AgencyKind.ACADEMIA),
]

ROLE_TITLES = [
    "Police Major, head of digital forensics",
    "Senior investigator",
    "Public prosecutor",
    "Incident handler",
    "Policy officer",
    "Lecturer in digital forensics",
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    country: str | None
    person_index: int
    first_name: str
    last_name: str


ACCOUNTS = [
    DemoAccount("demo-staff", "staff", None, 0, "Programme", "Staff"),
    DemoAccount("demo-reviewer", "reviewer", None, 1, "Review", "Expert"),
    DemoAccount("demo-focal-th", "focal_point", "TH", 0, "Somchai", "Jaidee"),
    DemoAccount("demo-focal-vn", "focal_point", "VN", 0, "Lan", "Nguyen"),
    DemoAccount("demo-trainer", "trainer", None, 2, "Training", "Lead"),
    DemoAccount("demo-investigator", "investigator", "MY", 1, "Nurul", "Aisyah"),
    DemoAccount("demo-learner", "learner", None, 3, "First", "Responder"),
]
HOME_COUNTRY = {
    "demo-staff": "SG",
    "demo-reviewer": "SG",
    "demo-trainer": "PH",
    "demo-learner": "ID",
}


def demo_password(username: str) -> str:
    """The demo's published password for an account (demo only; never a real deployment)."""
    return f"{username}-2026!"


def seed_network_and_accounts(*, scale: int, report: DemoReport) -> None:
    members = list(Country.objects.filter(asean_joined__isnull=False).order_by("code"))
    if not members:
        raise RuntimeError("No member countries: load the reference content first.")
    with transaction.atomic():
        agencies = _seed_agencies(members, report)
        people = _seed_people(members, agencies, report)
        _seed_accounts(people, report)
        if scale > 1:
            with audit.suspended():
                _seed_scaled(members, scale, report)


def _seed_agencies(members: list[Country], report: DemoReport) -> dict[tuple[str, str], Agency]:
    existing = {
        (a.country.code, a.acronym): a
        for a in Agency.objects.filter(is_demo=True, country__in=members)
        .exclude(acronym__contains="-x")
        .select_related("country")
    }
    made = 0
    for country in members:
        for name, acronym, kind in AGENCY_TEMPLATES:
            if (country.code, f"{acronym}-{country.code}") in existing:
                continue
            agency = Agency.objects.create(
                name=f"{name} ({country.name})",
                acronym=f"{acronym}-{country.code}",
                kind=kind,
                country=country,
                is_demo=True,
            )
            existing[(country.code, agency.acronym)] = agency
            made += 1
    report.add_count("agencies created", made)
    return {(code, acr.split("-")[0]): agency for (code, acr), agency in existing.items()}


def _person_email(code: str, index: int) -> str:
    return f"person{index}.{code.lower()}@demo.cybercap.invalid"


def _seed_people(
    members: list[Country], agencies: dict[tuple[str, str], Agency], report: DemoReport
) -> dict[tuple[str, int], Person]:
    existing = {p.email: p for p in Person.objects.filter(is_demo=True)}
    people: dict[tuple[str, int], Person] = {}
    made = 0
    for country in members:
        for index, (name, latin, gender) in enumerate(NAMES.get(country.code, [])):
            email = _person_email(country.code, index)
            person = existing.get(email)
            if person is None:
                agency = agencies[
                    (country.code, AGENCY_TEMPLATES[index % len(AGENCY_TEMPLATES)][1])
                ]
                person = Person.objects.create(
                    full_name=name,
                    latin_name=latin,
                    agency=agency,
                    country=country,
                    role_title=ROLE_TITLES[index % len(ROLE_TITLES)],
                    gender=Gender(gender),
                    email=email,
                    phone=f"+000 5550 {index:04d}",
                    is_demo=True,
                )
                made += 1
            people[(country.code, index)] = person
    report.add_count("people created", made)
    return people


def _seed_accounts(people: dict[tuple[str, int], Person], report: DemoReport) -> None:
    countries = {c.code: c for c in Country.objects.all()}
    for account in ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=account.username,
            defaults={
                "first_name": account.first_name,
                "last_name": account.last_name,
                "email": f"{account.username}@demo.cybercap.invalid",
                "is_demo": True,
                "is_staff": account.role == "staff",
                "password": make_password(demo_password(account.username)),
            },
        )
        scope = countries[account.country] if account.country else None
        RoleAssignment.objects.get_or_create(user=user, role=account.role, country=scope)
        home = account.country or HOME_COUNTRY[account.username]
        person = people.get((home, account.person_index))
        if person is not None and person.user_id is None and not hasattr(user, "person"):
            person.user = user
            person.save(update_fields=["user"])
        login = DemoLogin(
            username=user.username,
            password=demo_password(user.username),
            roles=str(RoleAssignment(role=account.role, country=scope)),
        )
        if account.role in TWO_FACTOR_ROLES:
            login.otpauth_uri, login.backup_codes = _two_factor(user)
        report.logins.append(login)
        if created:
            report.add_count("accounts created", 1)


def _two_factor(user: User) -> tuple[str, list[str]]:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = otp.totp_device_create(user=user, confirmed=True, name="demo authenticator")
    static = StaticDevice.objects.filter(user=user, name="backup").first()
    codes = [t.token for t in static.token_set.all()] if static else []
    if not codes:
        codes = otp.backup_codes_regenerate(user=user)
    else:
        codes = [f"{c[:5]}-{c[5:]}" if len(c) == 10 else c for c in codes]
    return otp.otpauth_uri(device), codes


def _seed_scaled(members: list[Country], scale: int, report: DemoReport) -> None:
    """(scale - 1) more copies of the per-country data, with unusable passwords, in bulk."""
    have = Agency.objects.filter(is_demo=True, acronym__contains="-x").count()
    per_copy = len(members) * len(AGENCY_TEMPLATES)
    start = have // per_copy + 1 if per_copy else 1
    if start >= scale:
        return
    unusable = make_password(None)
    for copy in range(start, scale):
        new_agencies = [
            Agency(
                name=f"{name} ({country.name}) regional office {copy}",
                acronym=f"{acronym}-{country.code}-x{copy}",
                kind=kind,
                country=country,
                is_demo=True,
            )
            for country in members
            for name, acronym, kind in AGENCY_TEMPLATES
        ]
        Agency.objects.bulk_create(new_agencies)
        saved = {
            a.acronym: a for a in Agency.objects.filter(acronym__endswith=f"-x{copy}", is_demo=True)
        }
        users = [
            User(
                username=f"demo-{account.role}-{account.country or 'rg'}-{copy}".lower(),
                first_name=account.first_name,
                last_name=f"{account.last_name} {copy}",
                email=f"{account.username}.{copy}@demo.cybercap.invalid",
                password=unusable,
                is_demo=True,
            )
            for account in ACCOUNTS
        ]
        User.objects.bulk_create(users)
        saved_users = {
            u.username: u for u in User.objects.filter(username__endswith=f"-{copy}", is_demo=True)
        }
        country_by_code = {c.code: c for c in members}
        RoleAssignment.objects.bulk_create(
            RoleAssignment(
                user=saved_users[f"demo-{a.role}-{a.country or 'rg'}-{copy}".lower()],
                role=a.role,
                country=country_by_code.get(a.country) if a.country else None,
            )
            for a in ACCOUNTS
        )
        people: list[Any] = []
        for country in members:
            for index, (name, latin, gender) in enumerate(NAMES.get(country.code, [])):
                template = AGENCY_TEMPLATES[index % len(AGENCY_TEMPLATES)]
                people.append(
                    Person(
                        full_name=name,
                        latin_name=latin,
                        agency=saved[f"{template[1]}-{country.code}-x{copy}"],
                        country=country,
                        role_title=ROLE_TITLES[index % len(ROLE_TITLES)],
                        gender=gender,
                        email=f"person{index}.{copy}.{country.code.lower()}@demo.cybercap.invalid",
                        is_demo=True,
                    )
                )
        Person.objects.bulk_create(people, batch_size=500)
        report.add_count("agencies created", len(new_agencies))
        report.add_count("people created", len(people))
        report.add_count("accounts created", len(users))
