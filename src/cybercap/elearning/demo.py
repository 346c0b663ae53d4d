"""Demo data for e-learning.

* demo-learner, enrolled in every course with some progress, a finished pre-test and a
  finished scenario run.
* A cohort of synthetic learners (300 per unit of ``--scale``) across the ASEAN member states,
  each with a person record in a demo agency of their country and a name in its script, and a
  path through the course: some complete it (every lesson, module quizzes passed, scenarios,
  the final test passed), most stop somewhere along the way, a few never open a lesson. Each
  has an ability; each item a difficulty; answers follow from both, so the item analysis has
  something to show. Written in bulk (COPY on PostgreSQL, see :mod:`cybercap.demo.bulk`),
  deterministic (a fixed seed), and idempotent: a second run creates nothing.

For benchmarks at platform scale, ``cybercap demo --learners N --active-learners K`` sets the
cohort's size apart from ``--scale``: N learners, of whom the first K (in creation order) take
their path through the course as above and the others have enrolled and not yet opened a
lesson. Every learner shares one precomputed (unusable) password hash.
"""

from __future__ import annotations

import hashlib
import math
import random
from datetime import datetime, timedelta
from typing import Any

from cybercap.demo.registry import DemoReport

PER_SCALE = 300
USERNAME = "learner-{code}-{n:04d}"
EPOCH = datetime.fromisoformat("2026-03-01T02:00:00+00:00")


def seed_elearning(
    *,
    scale: int,
    report: DemoReport,
    learners: int | None = None,
    active_learners: int | None = None,
) -> None:
    _seed_demo_learner(report)
    total = learners if learners is not None else PER_SCALE * max(1, scale)
    _seed_cohort(total=total, active=active_learners, report=report)


def _seed_demo_learner(report: DemoReport) -> None:
    from cybercap.accounts.models import User
    from cybercap.elearning import services
    from cybercap.elearning.models import Course, Enrolment, Lesson
    from cybercap.quizzes import services as quiz_services
    from cybercap.quizzes.models import Attempt

    learner = User.objects.filter(username="demo-learner").first()
    if learner is None:
        return
    for course in Course.objects.all():
        if Enrolment.objects.filter(user=learner, course=course).exists():
            continue
        services.enrol(user=learner, course=course, is_demo=True)
        report.add_count("course enrolments", 1)
        lessons = list(
            Lesson.objects.filter(module__course=course).order_by("module__position", "position")[
                :3
            ]
        )
        for lesson in lessons:
            services.lesson_complete(user=learner, lesson=lesson)
        report.add_count("lessons completed", len(lessons))
        rng = random.Random(f"demo-{course.key}")  # noqa: S311 - synthetic data
        if course.pre_test is not None:
            attempt = quiz_services.attempt_start(user=learner, test=course.pre_test, rng=rng)
            Attempt.objects.filter(pk=attempt.pk).update(is_demo=True)
            answers: dict[str, Any] = {}
            for n, item in enumerate(quiz_services.attempt_items(attempt)):
                # About two in three right: a plausible first try.
                if n % 3 == 2:
                    wrong = [o["id"] for o in item.options if o["id"] not in item.correct]
                    answers[item.key] = {} if item.type == "matching" else wrong[:1]
                else:
                    answers[item.key] = item.correct
            quiz_services.attempt_submit(attempt=attempt, answers=answers)
            report.add_count("quiz attempts", 1)
        scenario = course.scenarios.order_by("module__position", "position").first()
        if scenario is not None:
            run = services.scenario_start(user=learner, scenario=scenario)
            while run.finished_at is None:
                node = scenario.node(run.node)
                run = services.scenario_choose(run=run, choice_id=node["choices"][0]["id"])
            report.add_count("scenario runs", 1)


# --------------------------------------------------------------------------- names


def _names(code: str) -> list[tuple[str, str, str]]:
    """Names for a country in its script (with a Latin form where the script is not Latin):
    the demo's six names, recombined (family and given names swapped between them) where the
    two forms split into the same number of words."""
    from cybercap.demo.seed import NAMES

    base = NAMES.get(code, [])
    family_first = code in {"KH", "VN"}
    out = list(base)
    for a in base:
        for b in base:
            if a is b:
                continue
            sa, la, ga = a[0].split(), a[1].split(), a[2]
            sb, lb, gb = b[0].split(), b[1].split(), b[2]
            if (
                len(sa) < 2
                or len(sb) < 2
                or (la and len(la) != len(sa))
                or (lb and len(lb) != len(sb))
            ):
                continue
            if bool(la) != bool(lb):
                continue
            if family_first:  # b's family name, a's given names (and a's gender)
                script = " ".join([sb[0], *sa[1:]])
                latin = " ".join([lb[0], *la[1:]]) if la else ""
                gender = ga
            else:  # b's given names, a's family name (and b's gender)
                script = " ".join([*sb[:-1], sa[-1]])
                latin = " ".join([*lb[:-1], la[-1]]) if la else ""
                gender = gb
            name = (script, latin, gender)
            if name not in out:
                out.append(name)
    return out


# --------------------------------------------------------------------------- answers


def _difficulty(key: str) -> float:
    """Each item's difficulty on the ability scale, fixed by its key (about -1.5 to 1.5)."""
    digest = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)
    return (digest / 0xFFFFFFFF) * 3 - 1.5


def _answer(item: Any, right: bool, rng: random.Random) -> Any:
    if right:
        return dict(item.correct) if item.type == "matching" else list(item.correct)
    ids = [o["id"] for o in item.options]
    if item.type in ("single", "true_false"):
        return [rng.choice([i for i in ids if i not in item.correct] or ids)]
    if item.type == "multiple":
        wrong = [i for i in ids if i not in item.correct]
        chosen = list(item.correct)[:-1] + ([rng.choice(wrong)] if wrong else [])
        return sorted(chosen)
    if item.type == "ordering":
        order = list(item.correct)
        if len(order) > 1:
            i = rng.randrange(len(order) - 1)
            order[i], order[i + 1] = order[i + 1], order[i]
        return order
    targets = list(item.correct.values())
    rng.shuffle(targets)
    return dict(zip(item.correct.keys(), targets, strict=True))


# --------------------------------------------------------------------------- the cohort


def _seed_cohort(*, total: int, active: int | None, report: DemoReport) -> None:
    from django.contrib.auth.hashers import make_password

    from cybercap.accounts.models import Role, RoleAssignment, User
    from cybercap.demo.bulk import bulk_insert
    from cybercap.elearning.models import Course, Enrolment
    from cybercap.network.models import Agency, Country, Gender, Person

    course = Course.objects.filter(key="first-responder").first() or Course.objects.first()
    if course is None:
        return
    if User.objects.filter(username__startswith="learner-", is_demo=True).exists():
        return  # already seeded
    members = list(Country.objects.filter(asean_joined__isnull=False).order_by("code"))
    agencies: dict[int, list[Agency]] = {}
    for agency in Agency.objects.filter(is_demo=True, country__in=members).order_by("pk"):
        agencies.setdefault(agency.country_id, []).append(agency)
    members = [c for c in members if agencies.get(c.pk)]
    if not members:
        return
    rng = random.Random("cybercap-elearning-demo")  # noqa: S311 - synthetic data
    active = total if active is None else min(active, total)
    unusable = make_password(None)
    names = {c.code: _names(c.code) for c in members}

    users: list[User] = []
    plan: list[tuple[Any, Any, float, str]] = []  # country, agency, ability, path
    for n in range(total):
        country = members[n % len(members)]
        agency = rng.choice(agencies[country.pk])
        ability = rng.gauss(0.3, 0.9)
        roll = rng.random()
        path = (
            "never"
            if roll < 0.1 or n >= active
            else ("complete" if roll < 0.32 + 0.1 * (ability > 0.8) else "stop")
        )
        users.append(
            User(
                username=USERNAME.format(code=country.code.lower(), n=n),
                email=f"learner{n}.{country.code.lower()}@demo.cybercap.invalid",
                password=unusable,
                is_demo=True,
            )
        )
        plan.append((country, agency, ability, path))
    bulk_insert(User, users)
    if users[0].pk is None:  # bulk_create without RETURNING (SQLite before 3.35)
        saved = {
            u.username: u
            for u in User.objects.filter(username__startswith="learner-", is_demo=True)
        }
        users = [saved[u.username] for u in users]
    bulk_insert(RoleAssignment, [RoleAssignment(user=u, role=Role.LEARNER) for u in users])
    people = []
    for n, (user, (country, agency, _ability, _path)) in enumerate(zip(users, plan, strict=True)):
        script, latin, gender = names[country.code][n // len(members) % len(names[country.code])]
        people.append(
            Person(
                full_name=script,
                latin_name=latin,
                agency=agency,
                country=country,
                role_title="Patrol officer" if n % 3 else "Crime scene investigator",
                gender=Gender(gender),
                email=user.email,
                user=user,
                is_demo=True,
            )
        )
    bulk_insert(Person, people)
    User.objects.filter(username__startswith="learner-", is_demo=True).update(
        first_name="", last_name=""
    )
    report.add_count("synthetic learners", len(users))

    enrolments = []
    for user in users:
        enrolled = EPOCH + timedelta(days=rng.randrange(0, 120), minutes=rng.randrange(0, 600))
        enrolments.append(Enrolment(user=user, course=course, enrolled_at=enrolled, is_demo=True))
    bulk_insert(Enrolment, enrolments)
    _paths(course, users, plan, enrolments, rng, report)


def _paths(
    course: Any,
    users: list[Any],
    plan: list[tuple[Any, Any, float, str]],
    enrolments: list[Any],
    rng: random.Random,
    report: DemoReport,
) -> None:
    from cybercap.demo.bulk import bulk_insert
    from cybercap.elearning.models import Enrolment, Lesson, LessonProgress, ScenarioRun
    from cybercap.quizzes import scoring
    from cybercap.quizzes.models import Attempt, Response

    modules = list(course.modules.select_related("quiz").order_by("position"))
    lessons = list(
        Lesson.objects.filter(module__course=course)
        .order_by("module__position", "position")
        .only("pk", "module_id", "minutes")
    )
    scenarios = list(course.scenarios.order_by("module__position", "position"))
    tests = {m.quiz_id: m.quiz for m in modules if m.quiz_id}
    if course.final_test_id:
        tests[course.final_test_id] = course.final_test
    pools = {
        test_id: list(test.items.filter(retired=False).order_by("key"))
        for test_id, test in tests.items()
    }
    progress: list[LessonProgress] = []
    attempts: list[tuple[Attempt, list[tuple[Any, Any]]]] = []
    runs: list[ScenarioRun] = []
    last_lesson: dict[int, int] = {}

    def take(
        user: Any, test: Any, when: datetime, ability: float, number: int, force_pass: bool = False
    ) -> tuple[datetime, bool]:
        pool = pools[test.pk]
        draw = rng.sample(pool, min(test.draw or len(pool), len(pool)))
        answers = []
        for item in draw:
            p = 1 / (1 + math.exp(-(1.7 * (ability - _difficulty(item.key)))))
            right = force_pass or rng.random() < p
            answers.append((item, _answer(item, right, rng)))
        minutes = max(2, int(test.minutes * rng.uniform(0.5, 1.3)) or len(draw))
        done = when + timedelta(minutes=minutes, seconds=rng.randrange(60))
        scores = [scoring.score(item.type, item.correct, answer) for item, answer in answers]
        score = sum(scores) / len(scores) if scores else 0.0
        attempt = Attempt(
            user=user,
            test=test,
            number=number,
            item_keys=[item.key for item, _ in answers],
            started_at=when,
            submitted_at=done,
            score=score,
            passed=score >= test.pass_mark,
            is_demo=True,
        )
        attempts.append((attempt, answers))
        return done, bool(attempt.passed)

    for user, (_country, _agency, ability, path), enrolment in zip(
        users, plan, enrolments, strict=True
    ):
        if path == "never":
            continue
        when = enrolment.enrolled_at + timedelta(minutes=rng.randrange(1, 90))
        # Where a drop-out stops: early stops are the most common.
        stop_at = (
            len(lessons)
            if path == "complete"
            else min(len(lessons) - 1, int(rng.expovariate(1 / 6)))
        )
        if course.pre_test is not None and course.pre_test_id in tests:
            when, _ = take(user, course.pre_test, when, ability - 0.6, 1)
        reached = 0  # lessons opened, in course order
        for module in modules:
            module_done = True
            for lesson in [lesson for lesson in lessons if lesson.module_id == module.pk]:
                if reached > stop_at:
                    module_done = False
                    break
                seen = when + timedelta(minutes=rng.randrange(1, 30))
                minutes = max(2, int(lesson.minutes * rng.uniform(0.6, 1.6)))
                # A drop-out's last lesson is often opened and never marked read.
                read = reached < stop_at or path == "complete" or rng.random() < 0.5
                done = seen + timedelta(minutes=minutes) if read else None
                progress.append(
                    LessonProgress(
                        user=user, lesson_id=lesson.pk, first_seen_at=seen, completed_at=done
                    )
                )
                last_lesson[user.pk] = lesson.pk
                when = (done or seen) + timedelta(hours=rng.choice([0, 0, 1, 20, 44]))
                reached += 1
                module_done = module_done and read
            if not module_done:
                break
            if module.quiz is not None and module.quiz_id != course.pre_test_id:
                number, passed = 1, False
                while not passed and number <= 3:
                    last_try = path == "complete" and number == 3
                    when, passed = take(
                        user, module.quiz, when, ability + 0.3 * number, number, last_try
                    )
                    number += 1
            for scenario in [s for s in scenarios if s.module_id == module.pk]:
                run, when = _play(user, scenario, when, ability, rng)
                runs.append(run)
            if reached > stop_at:
                break
        if path == "complete" and course.final_test_id:
            when, passed = take(user, course.final_test, when + timedelta(days=1), ability + 0.5, 1)
            if not passed:
                take(
                    user,
                    course.final_test,
                    when + timedelta(days=2),
                    ability + 1.5,
                    2,
                    force_pass=True,
                )

    bulk_insert(LessonProgress, progress)
    bulk_insert(Attempt, [a for a, _ in attempts])
    bulk_insert(
        Response,
        [
            Response(
                attempt=attempt,
                item=item,
                item_version=item.version,
                answer=answer,
                score=scoring.score(item.type, item.correct, answer),
            )
            for attempt, answers in attempts
            for item, answer in answers
        ],
    )
    bulk_insert(ScenarioRun, runs)
    resume = [
        Enrolment(pk=e.pk, last_lesson_id=last_lesson[e.user_id])
        for e in enrolments
        if e.user_id in last_lesson
    ]
    Enrolment.objects.bulk_update(resume, ["last_lesson"], batch_size=1000)
    report.add_count("synthetic lesson progress", len(progress))
    report.add_count("synthetic quiz attempts", len(attempts))
    report.add_count("synthetic scenario runs", len(runs))


def _play(
    user: Any, scenario: Any, when: datetime, ability: float, rng: random.Random
) -> tuple[Any, datetime]:
    """Play a scenario to its end: a stronger learner more often takes the best-scored choice."""
    from cybercap.elearning.models import ScenarioRun
    from cybercap.elearning.services import apply_choice, initial_state

    graph = scenario.graph
    state = initial_state(graph)
    node_id = graph["start"]
    path, score = [], 0
    started = when
    for _step in range(50):
        node = scenario.node(node_id)
        if node.get("end"):
            break
        choices = node["choices"]
        best = max(choices, key=lambda c: c.get("score", 0))
        choice = best if rng.random() < 0.45 + 0.2 * ability else rng.choice(choices)
        target, state, played = apply_choice(graph, state, node_id, choice["id"])
        path.append(
            {
                "node": node_id,
                "choice": played["id"],
                "score": played.get("score", 0),
                "feedback": played["feedback"],
            }
        )
        score += played.get("score", 0)
        node_id = target
        when += timedelta(minutes=rng.randrange(1, 4))
    end = scenario.node(node_id)
    run = ScenarioRun(
        user=user,
        scenario=scenario,
        started_at=started,
        finished_at=when if end.get("end") else None,
        node=node_id,
        path=path,
        state=state,
        score=score,
        outcome=(end.get("outcome") or "") if end.get("end") else "",
    )
    return run, when
