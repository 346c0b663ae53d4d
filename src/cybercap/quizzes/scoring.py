"""Scoring of answers and learning gain. Pure Python: no Django, so every rule is testable alone.

Every score is a fraction from 0 to 1; 1 only for an answer that is exactly right.

Rules by item type:

* ``single`` and ``true_false``: 1 when the one chosen option is the correct one, else 0.
* ``multiple``: partial credit, ``(right choices - wrong choices) / number of correct options``,
  never below 0. Choosing every option therefore scores 0 unless every option is correct, and
  choosing nothing scores 0. Exactly the correct set scores 1.
* ``ordering``: Kendall-style pair agreement. Of the ``n (n - 1) / 2`` pairs of options, the
  fraction the learner put in the same relative order as the key. The exact order scores 1, the
  exact reverse 0; swapping two neighbours costs one pair. An answer that is not an ordering of
  exactly the key's options (a missing, repeated or unknown option) scores 0. A one-option key
  scores 1 for that one option.
* ``matching``: the fraction of options paired with their correct target. Unknown options in
  the answer are ignored; unpaired options count as wrong.

Normalised learning gain (Hake): for percentage scores (0 to 100),
``g = (post - pre) / (100 - pre)``. It is undefined (``None``) when the pre-test is already 100,
since there is nothing left to gain. The class gain uses the means of matched pre/post pairs
only, and is undefined for no pairs or a mean pre-test of 100. It may be negative when learners
score lower after the course.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

ITEM_TYPES = ("single", "multiple", "true_false", "ordering", "matching")


class ScoringError(ValueError):
    """The key itself is malformed (not the learner's answer)."""


def score_single(correct: Sequence[str], answer: Sequence[str]) -> float:
    if len(correct) != 1:
        raise ScoringError("a single-choice key has exactly one option")
    return 1.0 if list(answer) == list(correct) else 0.0


def score_multiple(correct: Sequence[str], answer: Sequence[str]) -> float:
    key = set(correct)
    if not key:
        raise ScoringError("a multiple-choice key has at least one option")
    chosen = set(answer)
    right = len(chosen & key)
    wrong = len(chosen - key)
    return max(0.0, (right - wrong) / len(key))


def score_ordering(correct: Sequence[str], answer: Sequence[str]) -> float:
    key = list(correct)
    given = list(answer)
    if len(set(key)) != len(key):
        raise ScoringError("an ordering key repeats an option")
    if sorted(given) != sorted(key):
        return 0.0
    if len(key) < 2:
        return 1.0
    rank = {option: index for index, option in enumerate(given)}
    pairs = list(combinations(key, 2))  # each pair (a, b) has a before b in the key
    agree = sum(1 for a, b in pairs if rank[a] < rank[b])
    return agree / len(pairs)


def score_matching(correct: Mapping[str, str], answer: Mapping[str, str]) -> float:
    if not correct:
        raise ScoringError("a matching key pairs at least one option")
    right = sum(1 for option, target in correct.items() if answer.get(option) == target)
    return right / len(correct)


def score(item_type: str, correct: Any, answer: Any) -> float:
    """Score ``answer`` against ``correct`` for an item of ``item_type``."""
    if item_type in ("single", "true_false"):
        return score_single(correct, answer)
    if item_type == "multiple":
        return score_multiple(correct, answer)
    if item_type == "ordering":
        return score_ordering(correct, answer)
    if item_type == "matching":
        return score_matching(correct, answer)
    raise ScoringError(f"unknown item type {item_type!r}")


# --------------------------------------------------------------------------- learning gain


def normalised_gain(pre: float, post: float) -> float | None:
    """Hake's g for one learner, on percentages; None when the pre-test is already 100."""
    for value in (pre, post):
        if not 0 <= value <= 100:
            raise ValueError("scores are percentages from 0 to 100")
    if pre >= 100:
        return None
    return (post - pre) / (100 - pre)


@dataclass(frozen=True)
class ClassGain:
    pairs: int
    mean_pre: float | None
    mean_post: float | None
    absolute_gain: float | None  # mean_post - mean_pre, in percentage points
    class_gain: float | None  # Hake's <g> from the class means
    mean_learner_gain: float | None  # mean of per-learner g, over learners where it is defined
    undefined_learners: int  # learners whose pre-test was already 100

    @property
    def band(self) -> str | None:
        """Hake's bands: low below 0.3, medium 0.3 to 0.7, high above 0.7."""
        if self.class_gain is None:
            return None
        if self.class_gain < 0.3:
            return "low"
        if self.class_gain <= 0.7:
            return "medium"
        return "high"


def class_gain(pairs: Sequence[tuple[float, float]]) -> ClassGain:
    """Gain over matched (pre, post) pairs only; learners without both scores are left out."""
    if not pairs:
        return ClassGain(0, None, None, None, None, None, 0)
    mean_pre = sum(p for p, _ in pairs) / len(pairs)
    mean_post = sum(q for _, q in pairs) / len(pairs)
    gains = [normalised_gain(p, q) for p, q in pairs]
    defined = [g for g in gains if g is not None]
    return ClassGain(
        pairs=len(pairs),
        mean_pre=mean_pre,
        mean_post=mean_post,
        absolute_gain=mean_post - mean_pre,
        class_gain=normalised_gain(min(mean_pre, 100.0), min(mean_post, 100.0)),
        mean_learner_gain=sum(defined) / len(defined) if defined else None,
        undefined_learners=len(gains) - len(defined),
    )


def gain_band(g: float | None) -> str | None:
    """Hake's band for a gain: low below 0.3, medium 0.3 to 0.7, high above 0.7."""
    if g is None:
        return None
    if g < 0.3:
        return "low"
    if g <= 0.7:
        return "medium"
    return "high"


def fraction_gain(pre: float, post: float) -> float | None:
    """Hake's g for scores given as fractions (0 to 1), as :func:`normalised_gain` on percents.

    Fractions a hair outside 0..1 from floating-point sums are clamped, not refused.
    """
    return normalised_gain(min(max(pre, 0.0), 1.0) * 100, min(max(post, 0.0), 1.0) * 100)


def paired_effect_size(pairs: Sequence[tuple[float, float]]) -> float | None:
    """Cohen's d for paired scores (d_z): mean of post - pre over their sample standard
    deviation. None for fewer than two pairs, or when every learner gained exactly alike."""
    if len(pairs) < 2:
        return None
    diffs = [q - p for p, q in pairs]
    mean = sum(diffs) / len(diffs)
    variance = sum((d - mean) ** 2 for d in diffs) / (len(diffs) - 1)
    if variance <= 1e-12:  # equal differences, up to floating-point noise
        return None
    return mean / variance**0.5
