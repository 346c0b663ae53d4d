"""Achievement certificates: issued to the participants who passed the post-test, once."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cybercap.activities.models import Evaluation
from cybercap.activities.services import trainer_assign
from cybercap.certificates.models import Certificate
from tests.activities.test_evaluations import paper, register
from tests.conftest import login
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(
    make_activity: Any, people: dict[str, Any], trainer: Any, thailand: Any, make_user: Any
) -> Any:
    activity = make_activity(quotas={thailand: 5})
    trainer_assign(activity=activity, user=trainer)
    learner = make_user("learner", username="passer")
    scores = {
        "th1": 0.8,  # exactly the pass mark: passes
        "th2": 0.79,  # just below
        "vn1": None,  # no post-test
    }
    for name, post in scores.items():
        reg = register(activity, people[name])
        paper(reg, "pre", 0.3)
        if post is not None:
            paper(reg, "post", post)
    mine = register(activity, PersonFactory(user=learner, full_name="Trần Thị Mai"))
    paper(mine, "post", 0.95)
    return activity


def test_a_trainer_issues_achievement_certificates_to_those_who_passed(
    activity: Any, trainer: Any, people: dict[str, Any]
) -> None:
    client = login(Client(), trainer)
    target = f"/activities/{activity.pk}/evaluation/certificates/"
    page = client.post(target, follow=True).content.decode()
    assert "Set up the post-test and its pass mark first." in page
    assert not Certificate.objects.exists()
    Evaluation.objects.create(activity=activity, kind="post", pass_mark=0.8)
    results = client.get(f"/activities/{activity.pk}/results/").content.decode()
    assert "2 passed the post-test; 0 of them hold an achievement certificate." in results
    page = client.post(target, follow=True).content.decode()
    assert "2 achievement certificates issued." in page
    certificates = Certificate.objects.order_by("holder_name")
    assert [(c.holder_name, c.kind, c.activity_id) for c in certificates] == sorted(
        [
            (people["th1"].full_name, "achievement", activity.pk),
            ("Trần Thị Mai", "achievement", activity.pk),
        ]
    )
    assert {c.issued_by_id for c in certificates} == {trainer.pk}
    assert certificates.get(holder_name="Trần Thị Mai").holder_user.username == "passer"
    # Again: nobody new, nothing issued, and the button is gone.
    page = client.post(target, follow=True).content.decode()
    assert "0 achievement certificates issued." in page
    assert "Issue achievement certificates" not in page
    assert Certificate.objects.count() == 2


def test_only_staff_and_the_assigned_trainer_issue_them(
    activity: Any, focal_th: Any, make_user: Any, staff_user: Any
) -> None:
    Evaluation.objects.create(activity=activity, kind="post", pass_mark=0.5)
    target = f"/activities/{activity.pk}/evaluation/certificates/"
    assert login(Client(), focal_th).post(target).status_code == 403
    assert login(Client(), make_user("trainer", username="t2")).post(target).status_code == 404
    staff = login(Client(), staff_user)
    assert staff.get(target).status_code == 405
    assert staff.post(target).status_code == 302
    assert Certificate.objects.count() == 3  # pass mark 50%: th1, th2 and the learner
