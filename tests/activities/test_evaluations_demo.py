"""The demo at the programme's scale: phase one's participants, experts, scores and surveys."""

from __future__ import annotations

import io
import random

import pytest
from django.core.management import call_command
from django.test import Client

from cybercap.accounts.models import User
from cybercap.activities import demo_people
from cybercap.activities.learning_gain import feedback_summary, gain_summary
from cybercap.activities.models import Activity, Evaluation, Registration, Session
from cybercap.network.models import Person
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_phase_one_has_320_participants_71_experts_and_evaluations() -> None:
    call_command("demo", "--no-serve", stdout=io.StringIO())
    phase_one = Activity.objects.filter(phase=1, is_demo=True)
    registrations = Registration.objects.filter(activity__in=phase_one)
    assert registrations.values("person").distinct().count() == 320
    participants = Person.objects.filter(pk__in=registrations.values("person"))
    assert set(participants.values_list("is_demo", flat=True)) == {True}
    names = set(participants.values_list("full_name", flat=True))
    scripts = {"Thai": (0x0E00, 0x0E7F), "Lao": (0x0E80, 0x0EFF), "Khmer": (0x1780, 0x17FF)}
    scripts |= {"Myanmar": (0x1000, 0x109F)}
    for script, (low, high) in scripts.items():
        assert any(low <= ord(c) <= high for name in names for c in name), script
    assert any("Nguyễn" in name or "Đ" in name for name in names)  # Vietnamese diacritics
    speakers = Person.objects.filter(sessions_spoken__activity__in=phase_one).distinct()
    assert speakers.count() == 71
    assert speakers.filter(country__is_guest=True).values("country").distinct().count() == 12
    # The 9 trainings, 2 workshops and the exercise have a paper pre- and post-test (the
    # seminars and the meeting only a survey); the first has its items from the bank.
    assert Evaluation.objects.filter(activity__in=phase_one).count() == 2 * 12
    opening = phase_one.get(title="First responders and digital evidence")
    assert Evaluation.objects.filter(activity=opening, test__isnull=False).count() == 2
    [overall] = gain_summary(phase_one)
    assert overall.pairs > 200 and overall.dropouts > 10 and overall.undefined > 0
    assert 0.3 < overall.mean_normalised_gain < 0.7  # type: ignore[operator]
    assert len(gain_summary(phase_one, by="country")) == 11
    feedback = feedback_summary(phase_one)
    assert feedback.responses > 250 and 3.5 < feedback.mean_rating < 4.8  # type: ignore[operator]
    assert Session.objects.filter(activity__in=phase_one, speakers__isnull=True).count() == 0
    # The trainer's results page shows the opening training's figures.
    trainer = login(Client(), User.objects.get(username="demo-trainer"))
    page = trainer.get(f"/activities/{opening.pk}/results/").content.decode()
    assert "Matched pre/post pairs" in page and "Feedback survey" in page


def test_demo_names_come_from_seeded_generators() -> None:
    first = demo_people.participants(["TH", "MM", "VN"], 30, random.Random("x"))
    again = demo_people.participants(["TH", "MM", "VN"], 30, random.Random("x"))
    assert first == again
    assert len({n.full_name for n in first}) == 30
    assert all(n.latin_name for n in first)  # non-Latin scripts and diacritics get one
