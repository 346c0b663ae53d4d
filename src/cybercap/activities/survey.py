"""An activity's feedback survey: its questions, as staff and the activity's trainers define them.

- The first time the survey is opened (by its editors or by a participant) the programme's
  standard questions are copied in; after that the activity's own list is the survey, even if
  its editors remove every question.
- Questions can be added, reworded, reordered, retired and removed while nobody has answered
  them. Once a question has answers its kind and wording are fixed (the answers would otherwise
  seem to answer a different question) and it cannot be removed (the database refuses too:
  RESTRICT); it can be retired instead, which stops asking it and keeps its answers.
- Every function takes an activity already fetched through the scoped selectors; the views
  check who may edit (``selectors.can_manage``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from cybercap.accounts import access
from cybercap.activities.models import Activity, FeedbackAnswer, FeedbackQuestion, QuestionKind
from cybercap.activities.services import ActivityError

TEXT_MAX = 300

# The programme's standard reaction survey (Kirkpatrick level 1), stored in English.
DEFAULT_QUESTIONS: list[tuple[str, str]] = [
    (QuestionKind.LIKERT, gettext_noop("The activity met its stated objectives.")),
    (QuestionKind.LIKERT, gettext_noop("The content was relevant to my daily work.")),
    (QuestionKind.LIKERT, gettext_noop("The trainers and speakers explained things clearly.")),
    (QuestionKind.LIKERT, gettext_noop("The practical exercises helped me learn.")),
    (QuestionKind.LIKERT, gettext_noop("The organisation and the venue suited the activity.")),
    (QuestionKind.LIKERT, gettext_noop("Overall, I am satisfied with the activity.")),
    (QuestionKind.TEXT, gettext_noop("What was the most useful part?")),
    (QuestionKind.TEXT, gettext_noop("What should we change next time?")),
]


@dataclass(frozen=True)
class QuestionLine:
    """A question with the number of answers it has, for the editor."""

    question: FeedbackQuestion
    answers: int

    @property
    def locked(self) -> bool:
        return self.answers > 0


def survey_questions(activity: Activity) -> list[FeedbackQuestion]:
    """Every question of the survey, retired ones included, in their order."""
    return list(FeedbackQuestion.objects.filter(activity=activity).order_by("position", "pk"))


def survey_lines(activity: Activity) -> list[QuestionLine]:
    """The editor's list: every question with its number of answers. One query."""
    questions = FeedbackQuestion.objects.filter(activity=activity).annotate(n=Count("answers"))
    return [QuestionLine(q, q.n) for q in questions.order_by("position", "pk")]


def survey_question_get(*, activity: Activity, pk: int) -> FeedbackQuestion:
    """One question of the activity's survey (another activity's: 404)."""
    return access.get_or_404(FeedbackQuestion.objects.filter(activity=activity), pk=pk)


def _clean(kind: str, text: str) -> tuple[str, str]:
    if kind not in QuestionKind.values:
        raise ActivityError(_("Choose a rating from 1 to 5 or free text."))
    text = " ".join(text.split())
    if not text:
        raise ActivityError(_("Write the question."))
    if len(text) > TEXT_MAX:
        raise ActivityError(
            _("A question has at most %(max)d characters; this one has %(n)d.")
            % {"max": TEXT_MAX, "n": len(text)}
        )
    return kind, text


def _locked_activity(activity: Activity) -> Activity:
    """The activity's row, locked: survey edits of one activity run one after the other."""
    return Activity.objects.select_for_update().get(pk=activity.pk)


@transaction.atomic
def survey_ensure(*, activity: Activity) -> None:
    """Copy the standard questions in, the first time only."""
    if activity.survey_set_up:
        return
    locked = _locked_activity(activity)
    if not locked.survey_set_up:
        if not FeedbackQuestion.objects.filter(activity=locked).exists():
            for n, (kind, text) in enumerate(DEFAULT_QUESTIONS):
                FeedbackQuestion.objects.create(activity=locked, position=n, kind=kind, text=text)
        locked.survey_set_up = True
        locked.save(update_fields=["survey_set_up", "updated_at"])
    activity.survey_set_up = True


@transaction.atomic
def survey_question_add(*, activity: Activity, kind: str, text: str) -> FeedbackQuestion:
    """A new question at the end of the survey."""
    kind, text = _clean(kind, text)
    survey_ensure(activity=activity)
    _locked_activity(activity)
    last = FeedbackQuestion.objects.filter(activity=activity).aggregate(m=Max("position"))["m"]
    return FeedbackQuestion.objects.create(
        activity=activity, position=0 if last is None else last + 1, kind=kind, text=text
    )


def survey_answer_count(question: FeedbackQuestion) -> int:
    return FeedbackAnswer.objects.filter(question=question).count()


def _lock(question: FeedbackQuestion) -> FeedbackQuestion:
    """The question's row, locked: an answer being recorded for it waits, or makes us wait."""
    return FeedbackQuestion.objects.select_for_update().get(pk=question.pk)


@transaction.atomic
def survey_question_change(*, question: FeedbackQuestion, kind: str, text: str) -> bool:
    """Reword a question or change its kind, while nobody has answered it. Returns whether
    anything changed."""
    kind, text = _clean(kind, text)
    question = _lock(question)
    if (kind, text) == (question.kind, question.text):
        return False
    answered = survey_answer_count(question)
    if answered:
        raise ActivityError(
            ngettext(
                "%(n)d person has answered this question, so its wording and kind can no "
                "longer change: the answer would seem to answer a different question. Retire "
                "it and add a new question instead.",
                "%(n)d people have answered this question, so its wording and kind can no "
                "longer change: their answers would seem to answer a different question. "
                "Retire it and add a new question instead.",
                answered,
            )
            % {"n": answered}
        )
    question.kind, question.text = kind, text
    question.save(update_fields=["kind", "text"])
    return True


@transaction.atomic
def survey_question_move(*, question: FeedbackQuestion, up: bool) -> bool:
    """Swap the question with the one before (``up``) or after it. Returns whether it moved.
    Positions are renumbered 0, 1, 2... on the way."""
    activity = _locked_activity(question.activity)
    ordered = survey_questions(activity)
    index = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return False
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    return True


@transaction.atomic
def survey_question_retire(*, question: FeedbackQuestion, retired: bool) -> None:
    """Stop asking the question (its answers stay in the results), or ask it again."""
    question = _lock(question)
    if question.retired != retired:
        question.retired = retired
        question.save(update_fields=["retired"])


@transaction.atomic
def survey_question_remove(*, question: FeedbackQuestion) -> None:
    """Delete a question nobody has answered."""
    question = _lock(question)
    answered = survey_answer_count(question)
    if answered:
        raise ActivityError(
            ngettext(
                "%(n)d person has answered this question, so it cannot be removed: "
                "retire it instead (it is then no longer asked, and its answers are kept).",
                "%(n)d people have answered this question, so it cannot be removed: "
                "retire it instead (it is then no longer asked, and its answers are kept).",
                answered,
            )
            % {"n": answered}
        )
    question.delete()
