"""Participant lists in the countries' own layouts: read, map columns, check every row.

Pure logic with no Django import: the service hands in the lookups (countries, agencies, people
already known) and gets back a preview that names every problem by row and column and every
likely duplicate, before anything is saved. Row numbers are the spreadsheet's own (the header
is row 1), columns are the file's own headings, so staff can find each cell.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

FIELDS: dict[str, tuple[str, bool]] = {
    # key: (label, required)
    "full_name": ("Full name", True),
    "latin_name": ("Name in Latin script", False),
    "email": ("E-mail", True),
    "agency": ("Agency", True),
    "country": ("Country", False),
    "role_title": ("Role or rank", False),
    "gender": ("Gender", False),
    "phone": ("Phone", False),
}

GENDERS = {
    "f": "female",
    "female": "female",
    "woman": "female",
    "w": "female",
    "m": "male",
    "male": "male",
    "man": "male",
    "other": "other",
    "x": "other",
    "": "undisclosed",
    "undisclosed": "undisclosed",
    "prefers not to say": "undisclosed",
    # The words the region's own participant lists use (their layouts, not cybercap's template).
    "ชาย": "male",  # Thai
    "เพศชาย": "male",
    "หญิง": "female",
    "เพศหญิง": "female",
    "nam": "male",  # Vietnamese
    "nữ": "female",
    "laki-laki": "male",  # Indonesian / Malay
    "lelaki": "male",
    "pria": "male",
    "perempuan": "female",
    "wanita": "female",
    "lalaki": "male",  # Filipino
    "babae": "female",
    "ប្រុស": "male",  # Khmer
    "ស្រី": "female",
    "ຊາຍ": "male",  # Lao
    "ຍິງ": "female",
    "ကျား": "male",  # Myanmar
    "မ": "female",
    "mane": "male",  # Tetum
    "feto": "female",
}
GENDERS = {
    " ".join(unicodedata.normalize("NFC", k).casefold().split()): v for k, v in GENDERS.items()
}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_ROWS = 2000


class TableError(Exception):
    """The file cannot be read as a table."""


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]  # data rows; rows[0] is spreadsheet row 2


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def read_table(data: bytes, name: str) -> Table:
    """Read a CSV (UTF-8, any common delimiter) or an .xlsx workbook's first sheet."""
    lowered = name.lower()
    if lowered.endswith(".xlsx"):
        rows = _read_xlsx(data)
    elif lowered.endswith(".csv"):
        rows = _read_csv(data)
    else:
        raise TableError("Upload a .csv or .xlsx file.")
    rows = [row for row in rows if any(cell for cell in row)]
    if not rows:
        raise TableError("The file has no rows.")
    headers = rows[0]
    if not any(headers):
        raise TableError("The first row must hold the column headings.")
    if len(rows) - 1 > MAX_ROWS:
        raise TableError(f"The file has more than {MAX_ROWS} rows.")
    width = len(headers)
    body = [(row + [""] * width)[:width] for row in rows[1:]]
    return Table(headers=headers, rows=body)


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableError("The CSV file is not UTF-8 text: save it as “CSV UTF-8”.") from None
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    return [[_cell(c) for c in row] for row in csv.reader(io.StringIO(text), dialect)]


def _read_xlsx(data: bytes) -> list[list[str]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TableError(f"The workbook cannot be read: {exc.__class__.__name__}.") from None
    try:
        sheet = book.worksheets[0]
        return [[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _norm(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())


def guess_mapping(headers: list[str], remembered: Mapping[str, str]) -> dict[str, str]:
    """The remembered mapping where its headings exist, else a heading that names the field."""
    present = {_norm(h): h for h in headers if h}
    mapping: dict[str, str] = {}
    for key, (label, _required) in FIELDS.items():
        wanted = remembered.get(key)
        if wanted and _norm(wanted) in present:
            mapping[key] = present[_norm(wanted)]
            continue
        for candidate in (key, key.replace("_", " "), label):
            if _norm(candidate) in present:
                mapping[key] = present[_norm(candidate)]
                break
    return mapping


@dataclass(frozen=True)
class Problem:
    row: int | None  # spreadsheet row; None for the whole file
    column: str  # the file's heading (or the cybercap field when unmapped)
    message: str


@dataclass
class ParsedRow:
    row: int
    full_name: str
    latin_name: str
    email: str
    agency_id: int | None
    country_id: int | None
    role_title: str
    gender: str
    phone: str
    existing_person_id: int | None = None  # same e-mail: this person is reused
    likely_duplicate_id: int | None = None  # same name and agency: staff decide


@dataclass(frozen=True)
class Duplicate:
    row: int
    kind: str  # "email" or "name_agency"
    person_id: int
    person_name: str


@dataclass
class Lookups:
    """What the database knows, keyed by normalised text."""

    default_country_id: int
    countries: dict[str, int]  # code and name, normalised → id
    agencies: dict[tuple[int, str], int]  # (country id, name or acronym normalised) → id
    people_by_email: dict[str, tuple[int, str]]  # email → (id, name)
    people_by_name_agency: dict[tuple[str, int], tuple[int, str]]  # (name, agency id) → (id, name)
    registered_person_ids: set[int] = field(default_factory=set)


@dataclass
class Preview:
    rows: list[ParsedRow]
    problems: list[Problem]
    duplicates: list[Duplicate]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_mapping(headers: list[str], mapping: Mapping[str, str]) -> list[Problem]:
    problems = []
    known = set(headers)
    for key, (label, required) in FIELDS.items():
        column = mapping.get(key, "")
        if column and column not in known:
            problems.append(Problem(None, column, f"No column “{column}” in the file."))
        elif required and not column:
            problems.append(Problem(None, label, f"Choose the column that holds “{label}”."))
    used = [c for c in mapping.values() if c]
    for column in sorted({c for c in used if used.count(c) > 1}):
        problems.append(Problem(None, column, "The same column is mapped to two fields."))
    return problems


def build_preview(table: Table, mapping: Mapping[str, str], lookups: Lookups) -> Preview:
    problems = check_mapping(table.headers, mapping)
    if problems:
        return Preview([], problems, [])
    index = {key: table.headers.index(col) for key, col in mapping.items() if col}
    parsed: list[ParsedRow] = []
    duplicates: list[Duplicate] = []
    seen_email: dict[str, int] = {}
    seen_name_agency: dict[tuple[str, int], int] = {}

    def column(key: str) -> str:
        return mapping.get(key) or FIELDS[key][0]

    for offset, cells in enumerate(table.rows):
        row = offset + 2
        values = {key: cells[i] for key, i in index.items()}
        problems_before = len(problems)
        full_name = values.get("full_name", "")
        if not full_name:
            problems.append(Problem(row, column("full_name"), "The name is empty."))
        elif len(full_name) > 200:
            problems.append(Problem(row, column("full_name"), "The name is longer than 200."))
        email = values.get("email", "").strip()
        if not email:
            problems.append(Problem(row, column("email"), "The e-mail is empty."))
        elif not _EMAIL.match(email) or len(email) > 254:
            problems.append(Problem(row, column("email"), f"“{email}” is not a valid e-mail."))
        email_key = email.casefold()
        country_id: int | None = lookups.default_country_id
        country_text = values.get("country", "")
        if country_text:
            country_id = lookups.countries.get(_norm(country_text))
            if country_id is None:
                problems.append(
                    Problem(row, column("country"), f"Unknown country “{country_text}”.")
                )
        agency_id: int | None = None
        agency_text = values.get("agency", "")
        if not agency_text:
            problems.append(Problem(row, column("agency"), "The agency is empty."))
        elif country_id is not None:
            agency_id = lookups.agencies.get((country_id, _norm(agency_text)))
            if agency_id is None:
                problems.append(
                    Problem(
                        row,
                        column("agency"),
                        f"Unknown agency “{agency_text}” in this country.",
                    )
                )
        gender_text = _norm(values.get("gender", ""))
        gender = GENDERS.get(gender_text)
        if gender is None:
            problems.append(
                Problem(row, column("gender"), f"Unknown gender “{values.get('gender', '')}”.")
            )
            gender = "undisclosed"
        for key, limit in (("latin_name", 200), ("role_title", 150), ("phone", 40)):
            if len(values.get(key, "")) > limit:
                problems.append(Problem(row, column(key), f"Longer than {limit} characters."))
        if email_key and email_key in seen_email:
            problems.append(
                Problem(
                    row,
                    column("email"),
                    f"The same e-mail as row {seen_email[email_key]} of this file.",
                )
            )
        name_key = (_norm(full_name), agency_id or 0)
        if full_name and agency_id and name_key in seen_name_agency:
            problems.append(
                Problem(
                    row,
                    column("full_name"),
                    f"The same name and agency as row {seen_name_agency[name_key]} of this file.",
                )
            )
        if email_key:
            seen_email.setdefault(email_key, row)
        if full_name and agency_id:
            seen_name_agency.setdefault(name_key, row)
        if len(problems) != problems_before:
            continue
        item = ParsedRow(
            row=row,
            full_name=full_name,
            latin_name=values.get("latin_name", ""),
            email=email,
            agency_id=agency_id,
            country_id=country_id,
            role_title=values.get("role_title", ""),
            gender=gender,
            phone=values.get("phone", ""),
        )
        by_email = lookups.people_by_email.get(email_key)
        if by_email is not None:
            item.existing_person_id = by_email[0]
            duplicates.append(Duplicate(row, "email", by_email[0], by_email[1]))
        else:
            by_name = lookups.people_by_name_agency.get((_norm(full_name), agency_id or 0))
            if by_name is not None:
                item.likely_duplicate_id = by_name[0]
                duplicates.append(Duplicate(row, "name_agency", by_name[0], by_name[1]))
        if item.existing_person_id in lookups.registered_person_ids:
            problems.append(
                Problem(row, column("email"), "This person is already registered for the activity.")
            )
            continue
        parsed.append(item)
    return Preview(parsed, problems, duplicates)


def normalise(value: str) -> str:
    return _norm(value)
