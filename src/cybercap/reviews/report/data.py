"""The plain data contract of the tailored review report.

A report is rendered (web page, PDF, Word) from one :class:`ReportData`, never from models: the
reviews app maps a review to it (``selectors.report_data_for_review``), the tests, the benchmark
and the demo build one with :func:`sample_report_data`. Everything here is frozen, typed and
free of Django, so renderers stay pure functions of the data.

Levels: an indicator's ``level`` is 1 to 5, or ``None``; ``status`` says why it is ``None``
(``not_applicable`` or ``unanswered``). Neither counts as zero anywhere in the report.

Legislation map rule (:func:`legislation_map`), per provision of ``instruments.yaml``:

* take the indicators of the framework that cite the provision, and of those the ones that have
  a level (not applicable and unanswered indicators are left out);
* none with a level: **not assessed** (also when no indicator cites the provision at all: the
  framework did not look, so the report does not claim the law is missing);
* otherwise the **lowest** of those levels decides (a provision is only as covered as its
  weakest tested element): 3 or above **covered**, 2 **partly covered**, 1 **missing**.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path

import yaml

from cybercap.reviews.framework_schema import (
    INSTRUMENTS_FILE,
    Framework,
    InstrumentsFile,
    load_framework,
)

CONTENT_ROOT = Path(__file__).resolve().parents[4] / "content"
DEFAULT_FRAMEWORK_DIR = CONTENT_ROOT / "frameworks" / "ncr" / "v1"


class AnswerStatus(StrEnum):
    ANSWERED = "answered"
    NOT_APPLICABLE = "not_applicable"
    UNANSWERED = "unanswered"


class Coverage(StrEnum):
    COVERED = "covered"
    PARTLY = "partly"
    MISSING = "missing"
    NOT_ASSESSED = "not_assessed"


class ReportState(StrEnum):
    DRAFT = "draft"
    FINAL = "final"


PRIORITIES = ("high", "medium", "low")
HORIZONS = ("short", "medium", "long")
CONFIDENCES = ("low", "medium", "high")


# --------------------------------------------------------------------------- parts


@dataclass(frozen=True)
class IndicatorFinding:
    """One indicator as the report shows it."""

    id: str
    title: str
    question: str
    status: AnswerStatus
    level: int | None = None  # 1..5 when answered
    confidence: str | None = None  # low | medium | high, when answered
    target: int = 3
    evidence_summary: str = ""
    needs_discussion: bool = False

    @property
    def gap(self) -> int | None:
        """Target minus current level (negative when above target); None without a level."""
        return None if self.level is None else self.target - self.level

    @property
    def answered(self) -> bool:
        return self.status == AnswerStatus.ANSWERED


@dataclass(frozen=True)
class ScoreData:
    """A weighted score on the level scale with its coverage.

    ``value`` is the weighted mean level (1.0 to 5.0) of the answered indicators, or None when
    none is answered. ``coverage`` is answered / (total - not applicable), 0.0 to 1.0.
    """

    value: float | None
    answered: int
    not_applicable: int
    total: int
    confidence: str | None = None  # the summary confidence: low | medium | high

    @property
    def applicable(self) -> int:
        return self.total - self.not_applicable

    @property
    def coverage(self) -> float:
        return self.answered / self.applicable if self.applicable else 0.0

    @property
    def unanswered(self) -> int:
        return self.applicable - self.answered


@dataclass(frozen=True)
class AreaData:
    key: str
    code: str
    name: str
    description: str
    score: ScoreData
    indicators: tuple[IndicatorFinding, ...]


@dataclass(frozen=True)
class PillarData:
    key: str
    code: str
    name: str
    description: str
    score: ScoreData
    areas: tuple[AreaData, ...]
    findings: str = ""  # the reviewers' narrative for the pillar (may be empty)

    @property
    def indicators(self) -> tuple[IndicatorFinding, ...]:
        return tuple(i for a in self.areas for i in a.indicators)


@dataclass(frozen=True)
class AgencyRow:
    name: str  # in the agency's own script (Thai, Khmer, ...) where it has one
    acronym: str
    kind: str  # an agency kind key (police_cyber_unit, prosecution, ...)
    kind_label: str  # its readable label


@dataclass(frozen=True)
class CountryProfile:
    """What the platform knows about the country; every field may be empty."""

    official_name: str = ""
    local_name: str = ""  # the country's name in its own script, when it has one
    region: str = ""
    asean_member_since: int | None = None  # year
    population: int | None = None
    agencies_count: int = 0
    agencies: tuple[AgencyRow, ...] = ()  # the agencies consulted for the review
    consultations: int = 0
    key_laws: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()


@dataclass(frozen=True)
class IndicatorLevel:
    id: str
    level: int | None
    status: AnswerStatus


@dataclass(frozen=True)
class LegislationRow:
    instrument: str  # key: budapest | budapest-p2 | uncc
    instrument_title: str
    ref: str  # the provision's ref in instruments.yaml ("16", "IV.preservation")
    article: str  # how to cite it: "Art. 16", "Ch. V (Arts. 35-52)", "Art. 14"
    title: str
    group: str  # substantive | procedural | cooperation | ...
    status: Coverage
    indicators: tuple[IndicatorLevel, ...]
    # "article" when an article number is cited; "chapter" when only the chapter is (its
    # article number is not verified, see instruments.yaml).
    cited_by: str = "article"


@dataclass(frozen=True)
class RecommendationData:
    text: str
    priority: str  # high | medium | low
    horizon: str  # short | medium | long
    responsible: str  # agency kind key
    responsible_label: str
    indicators: tuple[str, ...]
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class ComparisonRow:
    indicator_id: str
    title: str
    previous_level: int | None
    current_level: int | None
    relation: str = "equivalent"  # equivalent | revised | merged | split | new
    previous_ids: tuple[str, ...] = ()

    @property
    def change(self) -> int | None:
        if self.previous_level is None or self.current_level is None:
            return None
        return self.current_level - self.previous_level


@dataclass(frozen=True)
class ProgressData:
    previous_cycle: int
    previous_framework_version: int
    rows: tuple[ComparisonRow, ...]

    @property
    def improved(self) -> int:
        return sum(1 for r in self.rows if (r.change or 0) > 0)

    @property
    def declined(self) -> int:
        return sum(1 for r in self.rows if (r.change or 0) < 0)

    @property
    def unchanged(self) -> int:
        return sum(1 for r in self.rows if r.change == 0)


@dataclass(frozen=True)
class ReportData:
    """Everything one tailored report shows, in one frozen value."""

    country_name: str
    country_code: str
    cycle: int
    framework_id: str
    framework_version: int
    framework_title: str
    tlp: str  # CLEAR | GREEN | AMBER | AMBER+STRICT | RED
    state: ReportState
    synthetic: bool
    generated_at: datetime  # aware
    executive_summary: str
    methodology: str
    profile: CountryProfile
    pillars: tuple[PillarData, ...]
    overall: ScoreData
    legislation: tuple[LegislationRow, ...]
    recommendations: tuple[RecommendationData, ...]
    levels: tuple[tuple[int, str, str], ...] = ()  # (level, name, summary) from the framework
    progress: ProgressData | None = None
    language: str = "en"
    extra: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.generated_at.tzinfo is None:
            raise ValueError("generated_at must be an aware datetime")

    @property
    def indicators(self) -> tuple[IndicatorFinding, ...]:
        return tuple(i for p in self.pillars for i in p.indicators)

    def recommendations_by_priority(self) -> list[tuple[str, list[RecommendationData]]]:
        """(priority, its recommendations) for high, medium, low; empty groups left out."""
        groups = []
        for priority in PRIORITIES:
            items = [r for r in self.recommendations if r.priority == priority]
            if items:
                groups.append((priority, items))
        return groups

    def legislation_by_instrument(self) -> list[tuple[str, list[LegislationRow]]]:
        """(instrument title, its rows) in instruments.yaml order."""
        groups: dict[str, list[LegislationRow]] = {}
        for row in self.legislation:
            groups.setdefault(row.instrument_title, []).append(row)
        return list(groups.items())

    def legislation_citations(self) -> dict[str, tuple[str, ...]]:
        """For instruments cited partly by chapter: instrument title -> its verified articles.

        The report says, under such an instrument's table, that the other article numbers are
        not verified and names the ones that are (possibly none).
        """
        out: dict[str, tuple[str, ...]] = {}
        for title, rows in self.legislation_by_instrument():
            if any(r.cited_by == "chapter" for r in rows):
                out[title] = tuple(r.article for r in rows if r.cited_by == "article")
        return out

    def coverage_counts(self) -> dict[Coverage, int]:
        counts = {status: 0 for status in Coverage}
        for row in self.legislation:
            counts[row.status] += 1
        return counts


# --------------------------------------------------------------------------- legislation map


@cache
def load_instruments(content_root: Path = CONTENT_ROOT) -> InstrumentsFile:
    """instruments.yaml, validated (the framework check has already reported its problems)."""
    text = (content_root / INSTRUMENTS_FILE).read_text(encoding="utf-8")
    return InstrumentsFile.model_validate(yaml.safe_load(text))


def _cite(article: int | None, chapter: str | None, span: str = "") -> str:
    """``Art. 16``; or, without a (verified) article number, ``Ch. V (Arts. 35-52)``."""
    if article is not None:
        return f"Art. {article}"
    if chapter:
        return f"Ch. {chapter} ({span})" if span else f"Ch. {chapter}"
    return ""


def coverage_of(levels: Sequence[int]) -> Coverage:
    """The rule of the module docstring, for the levels of the answered citing indicators."""
    if not levels:
        return Coverage.NOT_ASSESSED
    weakest = min(levels)
    if weakest >= 3:
        return Coverage.COVERED
    if weakest == 2:
        return Coverage.PARTLY
    return Coverage.MISSING


def legislation_map(
    framework: Framework,
    levels: Mapping[str, int | None],
    *,
    not_applicable: frozenset[str] | set[str] = frozenset(),
    content_root: Path | None = None,
) -> tuple[LegislationRow, ...]:
    """One row per provision of every instrument, with its coverage (see the module docstring).

    ``levels`` maps indicator ids to their level (missing or None: no level); ids in
    ``not_applicable`` are shown as such. Rows follow instruments.yaml order.
    """
    root = content_root or framework.directory.parent.parent.parent
    instruments = load_instruments(root)
    citing: dict[tuple[str, str], list[str]] = {}
    for indicator in framework.indicators:
        if indicator.articles is None:
            continue
        for key, ref in indicator.articles.all():
            citing.setdefault((key, ref), []).append(indicator.id)
    rows = []
    for instrument in instruments.instruments:
        for provision in instrument.provisions:
            ids = citing.get((instrument.key, provision.ref), [])
            cited = []
            for ident in ids:
                level = levels.get(ident)
                if ident in not_applicable:
                    status = AnswerStatus.NOT_APPLICABLE
                    level = None
                elif level is None:
                    status = AnswerStatus.UNANSWERED
                else:
                    status = AnswerStatus.ANSWERED
                cited.append(IndicatorLevel(id=ident, level=level, status=status))
            chapter = instrument.chapter(provision.chapter)
            rows.append(
                LegislationRow(
                    instrument=instrument.key,
                    instrument_title=instrument.title,
                    ref=provision.ref,
                    article=_cite(
                        provision.article, provision.chapter, chapter.articles if chapter else ""
                    )
                    or provision.ref,
                    title=provision.title,
                    group=provision.group,
                    status=coverage_of([c.level for c in cited if c.level is not None]),
                    indicators=tuple(cited),
                    cited_by="article" if provision.article is not None else "chapter",
                )
            )
    return tuple(rows)


# --------------------------------------------------------------------------- scores


def summarise(
    findings: Sequence[tuple[IndicatorFinding, float]],
) -> ScoreData:
    """Weighted mean level of the answered (finding, weight) pairs; N/A and unanswered excluded.

    Used to build sample data; for real reviews the reviews scoring module is authoritative
    and its figures are copied into :class:`ScoreData`.
    """
    answered = [(f, w) for f, w in findings if f.level is not None]
    na = sum(1 for f, _ in findings if f.status == AnswerStatus.NOT_APPLICABLE)
    total_weight = sum(w for _, w in answered)
    value = (
        round(sum((f.level or 0) * w for f, w in answered) / total_weight, 2) if answered else None
    )
    confidence = None
    if answered:
        rank = {c: n for n, c in enumerate(CONFIDENCES)}
        mean = sum(rank.get(f.confidence or "low", 0) * w for f, w in answered) / total_weight
        confidence = CONFIDENCES[round(mean)]
    return ScoreData(
        value=value,
        answered=len(answered),
        not_applicable=na,
        total=len(findings),
        confidence=confidence,
    )


def summarise_weighted(parts: Sequence[tuple[ScoreData, float]]) -> ScoreData:
    """Combine child scores (areas into a pillar, pillars into the overall) by their weights."""
    scored = [(s, w) for s, w in parts if s.value is not None]
    weight = sum(w for _, w in scored)
    value = round(sum((s.value or 0) * w for s, w in scored) / weight, 2) if scored else None
    confidences = [s.confidence for s, _ in scored if s.confidence]
    rank = {c: n for n, c in enumerate(CONFIDENCES)}
    confidence = (
        CONFIDENCES[round(sum(rank[c] for c in confidences) / len(confidences))]
        if confidences
        else None
    )
    return ScoreData(
        value=value,
        answered=sum(s.answered for s, _ in parts),
        not_applicable=sum(s.not_applicable for s, _ in parts),
        total=sum(s.total for s, _ in parts),
        confidence=confidence,
    )


# --------------------------------------------------------------------------- sample data

AGENCY_KIND_LABELS = {
    "police_cyber_unit": "Police cybercrime unit",
    "police": "Police (other)",
    "prosecution": "Prosecutor's office",
    "court": "Court or judiciary",
    "ministry": "Ministry or government department",
    "cert": "CERT / CSIRT",
    "regulator": "Regulator",
    "academia": "Academic or research body",
    "private_sector": "Private sector",
    "international": "International organisation",
    "other": "Other",
}

# (name, local-script name, official name, ASEAN year) for the eleven member countries.
SAMPLE_COUNTRIES: dict[str, tuple[str, str, str, int]] = {
    "BN": ("Brunei Darussalam", "Negara Brunei Darussalam", "Brunei Darussalam", 1984),
    "KH": ("Cambodia", "ព្រះរាជាណាចក្រកម្ពុជា", "Kingdom of Cambodia", 1999),
    "ID": ("Indonesia", "Republik Indonesia", "Republic of Indonesia", 1967),
    "LA": ("Lao PDR", "ສາທາລະນະລັດ ປະຊາທິປະໄຕ ປະຊາຊົນລາວ", "Lao People's Democratic Republic", 1997),
    "MY": ("Malaysia", "Malaysia", "Malaysia", 1967),
    "MM": ("Myanmar", "မြန်မာ", "Republic of the Union of Myanmar", 1997),
    "PH": ("Philippines", "Republika ng Pilipinas", "Republic of the Philippines", 1967),
    "SG": ("Singapore", "Singapore", "Republic of Singapore", 1967),
    "TH": ("Thailand", "ประเทศไทย", "Kingdom of Thailand", 1967),
    "VN": ("Viet Nam", "Việt Nam", "Socialist Republic of Viet Nam", 1995),
    "TL": ("Timor-Leste", "Timor-Leste", "Democratic Republic of Timor-Leste", 2025),
}

# Invented agency names in local script where the country has one (synthetic demo data).
SAMPLE_AGENCIES: dict[str, list[tuple[str, str, str]]] = {
    "TH": [
        ("หน่วยปราบปรามอาชญากรรมทางไซเบอร์แห่งชาติ", "NPCU", "police_cyber_unit"),
        ("สำนักงานอัยการ แผนกคดีไซเบอร์", "OPP", "prosecution"),
        ("ศูนย์ประสานการรักษาความมั่นคงปลอดภัยระบบคอมพิวเตอร์แห่งชาติ", "CERT", "cert"),
        ("กระทรวงกิจการดิจิทัล", "MDA", "ministry"),
    ],
    "KH": [
        ("អង្គភាពប្រឆាំងឧក្រិដ្ឋកម្មបច្ចេកវិទ្យា", "NPCU", "police_cyber_unit"),
        ("ក្រសួងកិច្ចការឌីជីថល", "MDA", "ministry"),
    ],
    "LA": [
        ("ໜ່ວຍງານຕ້ານອາຊະຍາກຳທາງໄຊເບີ", "NPCU", "police_cyber_unit"),
        ("ກະຊວງກິດຈະການດິຈິຕອນ", "MDA", "ministry"),
    ],
    "MM": [
        ("ဆိုက်ဘာရာဇဝတ်မှုနှိမ်နင်းရေးယူနစ်", "NPCU", "police_cyber_unit"),
        ("ဒစ်ဂျစ်တယ်ရေးရာဝန်ကြီးဌာန", "MDA", "ministry"),
    ],
    "VN": [
        ("Đơn vị Phòng chống Tội phạm Mạng Quốc gia", "NPCU", "police_cyber_unit"),
        ("Bộ Các vấn đề Số", "MDA", "ministry"),
    ],
}
DEFAULT_AGENCIES = [
    ("National Police Cybercrime Unit", "NPCU", "police_cyber_unit"),
    ("Office of the Public Prosecutor, Cybercrime Desk", "OPP", "prosecution"),
    ("National Computer Emergency Response Team", "CERT", "cert"),
    ("Ministry of Digital Affairs", "MDA", "ministry"),
]

_EVIDENCE = (
    "Copy of the provision in force and two case files reviewed with the {who}.",
    "Figures for the last twelve months from the {who} register, checked against a sample.",
    "Interview with the {who}; written procedure seen; no figures kept.",
    "Annual report and budget line of the {who}; staff list seen.",
)


@cache
def _framework(directory: Path = DEFAULT_FRAMEWORK_DIR) -> Framework:
    return load_framework(directory)


def _levels_for(framework: Framework, country_code: str, cycle: int) -> dict[str, int | str | None]:
    """Deterministic pseudo-random answers: a level, "na" or None (unanswered).

    Each country has a base level per indicator (seeded by the country) that grows a little
    from cycle to cycle, plus noise seeded by (country, cycle): later cycles mostly improve.
    """
    base_rng = random.Random(country_code)  # noqa: S311 -- reproducible demo levels
    cycle_rng = random.Random(f"{country_code}-{cycle}")  # noqa: S311 -- reproducible demo levels
    strength = base_rng.uniform(1.5, 3.4)
    growth = base_rng.uniform(0.0, 0.14) * (cycle - 2018)
    out: dict[str, int | str | None] = {}
    for indicator in framework.indicators:
        base = base_rng.gauss(strength, 0.8)
        roll = cycle_rng.random()
        noise = cycle_rng.gauss(0, 0.35)
        if roll < 0.03:
            out[indicator.id] = "na"
        elif roll < 0.08:
            out[indicator.id] = None
        else:
            out[indicator.id] = max(1, min(5, round(base + growth + noise)))
    return out


def sample_report_data(
    country_code: str = "TH",
    cycle: int = 2024,
    *,
    previous_cycle: int | None = 2018,
    tlp: str = "AMBER",
    state: ReportState = ReportState.FINAL,
    target: int = 3,
    framework_dir: Path = DEFAULT_FRAMEWORK_DIR,
) -> ReportData:
    """A realistic, synthetic report for one country built from the real framework content.

    Levels are pseudo-random but deterministic per (country, cycle). Marked ``synthetic``.
    """
    framework = _framework(framework_dir)
    name, local_name, official, joined = SAMPLE_COUNTRIES[country_code]
    answers = _levels_for(framework, country_code, cycle)
    rng = random.Random(f"{country_code}-{cycle}-evidence")  # noqa: S311 -- demo data
    clusters = {c.key: c.name for c in framework.meta.stakeholder_clusters}

    findings: dict[str, IndicatorFinding] = {}
    for indicator in framework.indicators:
        answer = answers[indicator.id]
        who = clusters[indicator.evidence.ask[0]].lower()
        if answer == "na":
            finding = IndicatorFinding(
                id=indicator.id,
                title=indicator.title,
                question=indicator.question,
                status=AnswerStatus.NOT_APPLICABLE,
                target=target,
                evidence_summary="Not applicable: the country has no such institution.",
            )
        elif answer is None:
            finding = IndicatorFinding(
                id=indicator.id,
                title=indicator.title,
                question=indicator.question,
                status=AnswerStatus.UNANSWERED,
                target=target,
            )
        else:
            assert isinstance(answer, int)
            finding = IndicatorFinding(
                id=indicator.id,
                title=indicator.title,
                question=indicator.question,
                status=AnswerStatus.ANSWERED,
                level=answer,
                confidence=rng.choice(CONFIDENCES),
                target=target,
                evidence_summary=rng.choice(_EVIDENCE).format(who=who),
                needs_discussion=rng.random() < 0.05,
            )
        findings[indicator.id] = finding

    pillars = []
    for pillar in framework.meta.pillars:
        areas = []
        for area in pillar.areas:
            items = [i for i in framework.indicators if i.area == area.key]
            area_findings = tuple(findings[i.id] for i in items)
            areas.append(
                AreaData(
                    key=area.key,
                    code=area.code,
                    name=area.name,
                    description=area.description,
                    score=summarise([(findings[i.id], i.weight) for i in items]),
                    indicators=area_findings,
                )
            )
        pillar_score = summarise_weighted(
            [(a.score, w.weight) for a, w in zip(areas, pillar.areas, strict=True)]
        )
        pillars.append(
            PillarData(
                key=pillar.key,
                code=pillar.code,
                name=pillar.name,
                description=pillar.description,
                score=pillar_score,
                areas=tuple(areas),
                findings=_pillar_narrative(pillar.name, areas),
            )
        )
    overall = summarise_weighted(
        [(p.score, meta.weight) for p, meta in zip(pillars, framework.meta.pillars, strict=True)]
    )

    recommendations = []
    for indicator in framework.indicators:
        finding = findings[indicator.id]
        if finding.level is None or finding.level >= finding.target:
            continue
        for rule in indicator.recommendations_for(finding.level):
            recommendations.append(
                RecommendationData(
                    text=" ".join(rule.text.split()),
                    priority=str(rule.priority),
                    horizon=str(rule.horizon),
                    responsible=rule.responsible,
                    responsible_label=AGENCY_KIND_LABELS[rule.responsible],
                    indicators=(indicator.id,),
                    topics=tuple(rule.topics),
                )
            )
    order = {p: n for n, p in enumerate(PRIORITIES)}
    recommendations.sort(key=lambda r: (order[r.priority], r.indicators))

    levels = {k: v for k, v in answers.items() if isinstance(v, int)}
    na = {k for k, v in answers.items() if v == "na"}
    legislation = legislation_map(framework, levels, not_applicable=na)

    progress = None
    if previous_cycle is not None and previous_cycle < cycle:
        before = _levels_for(framework, country_code, previous_cycle)
        rows = []
        for indicator in framework.indicators:
            prev = before[indicator.id]
            cur = findings[indicator.id].level
            rows.append(
                ComparisonRow(
                    indicator_id=indicator.id,
                    title=indicator.title,
                    previous_level=prev if isinstance(prev, int) else None,
                    current_level=cur,
                    previous_ids=(indicator.id,),
                )
            )
        progress = ProgressData(
            previous_cycle=previous_cycle,
            previous_framework_version=framework.version,
            rows=tuple(rows),
        )

    agencies = tuple(
        AgencyRow(name=a, acronym=ac, kind=k, kind_label=AGENCY_KIND_LABELS[k])
        for a, ac, k in SAMPLE_AGENCIES.get(country_code, DEFAULT_AGENCIES)
    )
    all_findings = list(findings.values())
    answered = [f for f in all_findings if f.level is not None]
    below = [f for f in answered if (f.gap or 0) > 0]
    counts = {c: sum(1 for r in legislation if r.status == c) for c in Coverage}
    summary = (
        f"This synthetic review of {name} for {cycle} answered {len(answered)} of "
        f"{len(all_findings)} indicators of the {framework.meta.title} (version "
        f"{framework.version}). The overall level is {overall.value} on a scale of 1 to 5. "
        f"{len(below)} indicators are below the target level of {target}, leading to "
        f"{len(recommendations)} recommendations. Of the treaty provisions in the legislation "
        f"map, {counts[Coverage.COVERED]} are covered, {counts[Coverage.PARTLY]} partly "
        f"covered, {counts[Coverage.MISSING]} missing and {counts[Coverage.NOT_ASSESSED]} "
        "not assessed."
    )
    methodology = (
        f"The review applies the {framework.meta.title}, version {framework.version}: "
        f"{len(framework.meta.pillars)} pillars, "
        f"{sum(len(p.areas) for p in framework.meta.pillars)} areas and "
        f"{len(framework.indicators)} indicators. For each indicator the reviewers chose the "
        "highest level whose descriptor is fully true on the evidence gathered in "
        "consultations with each stakeholder cluster, and recorded a confidence. Scores are "
        "weighted mean levels; indicators that are not applicable or unanswered are left out "
        "of scores and shown as coverage, never counted as zero. Gap is the target level "
        "minus the current level."
    )
    return ReportData(
        country_name=name,
        country_code=country_code,
        cycle=cycle,
        framework_id=framework.id,
        framework_version=framework.version,
        framework_title=framework.meta.title,
        tlp=tlp,
        state=state,
        synthetic=True,
        generated_at=datetime(cycle, 11, 27, 9, 0, tzinfo=UTC),
        executive_summary=summary,
        methodology=methodology,
        profile=CountryProfile(
            official_name=official,
            local_name=local_name,
            region="Southeast Asia",
            asean_member_since=joined,
            agencies_count=len(agencies),
            agencies=agencies,
            consultations=7,
            key_laws=(
                f"Computer-related Offences Act (synthetic title), as amended {cycle - 4}",
                f"Personal Data Protection Act (synthetic title), {cycle - 5}",
                f"Mutual Legal Assistance in Criminal Matters Act (synthetic title), {cycle - 20}",
            ),
            reviewers=("Demo Reviewer One", "Demo Reviewer Two"),
        ),
        pillars=tuple(pillars),
        overall=overall,
        legislation=legislation,
        recommendations=tuple(recommendations),
        levels=tuple((lv.level, lv.name, lv.summary.strip()) for lv in framework.meta.levels),
        progress=progress,
    )


def _pillar_narrative(name: str, areas: Sequence[AreaData]) -> str:
    scored = [a for a in areas if a.score.value is not None]
    if not scored:
        return f"No indicator of the {name.lower()} pillar was answered."
    best = max(scored, key=lambda a: a.score.value or 0)
    worst = min(scored, key=lambda a: a.score.value or 0)
    return (
        f"Within the {name.lower()} pillar, {best.name.lower()} is the strongest area "
        f"(level {best.score.value}) and {worst.name.lower()} the weakest "
        f"(level {worst.score.value})."
    )


def sample_countries() -> list[str]:
    """The eleven member countries' codes, for the benchmark and demo."""
    return sorted(SAMPLE_COUNTRIES)
