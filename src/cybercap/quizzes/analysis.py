"""Item analysis: how hard each item is and how well it separates strong from weak learners.

Pure Python: no Django, so every figure can be checked by hand (tests/quizzes/test_analysis.py).

The input is one mapping per submitted attempt, ``{item key: score}`` with scores from 0 to 1
(partial credit allowed). Attempts drawn from a pool do not all hold the same items, so an
attempt's *total* is the mean of its item scores (0 to 1), not a sum.

* **Difficulty** (the classical p value): the mean score on the item. For items scored right or
  wrong this is the proportion of learners who got it right; higher means easier.
* **Discrimination, point-biserial**: the Pearson correlation between the item score and the
  *rest* score (the attempt's mean over its other items), so the item does not correlate with
  itself. For right-or-wrong items it is the point-biserial coefficient
  ``(M1 - M0) / s * sqrt(p q)``. Undefined (None) when either side does not vary or an attempt
  holds no other item.
* **Discrimination, upper-lower index**: rank the attempts that answered the item by total; the
  mean item score of the top 27% minus that of the bottom 27% (each group at least one attempt,
  ``round(0.27 n)``; ties keep the input order). From -1 to 1. Undefined below two attempts.

Flags help authors pick the items to look at: ``few`` (fewer than ``min_responses``), then
``negative`` (discrimination below 0: strong learners miss it more than weak ones, usually a
wrong key or an ambiguous stem), ``weak`` (below 0.2), ``easy`` (p above 0.9), ``hard`` (p
below 0.2).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

UPPER_LOWER_FRACTION = 0.27
MIN_RESPONSES = 10


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r; None for fewer than two pairs or when either variable is constant."""
    if len(xs) != len(ys):
        raise ValueError("xs and ys differ in length")
    n = len(xs)
    if n < 2:
        return None
    mx = sum(xs) / n
    my = sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-15 or syy <= 1e-15:
        return None
    return sxy / math.sqrt(sxx * syy)


def upper_lower_index(
    item_scores: Sequence[float], totals: Sequence[float], fraction: float = UPPER_LOWER_FRACTION
) -> float | None:
    """Mean item score of the top ``fraction`` by total minus that of the bottom ``fraction``."""
    if len(item_scores) != len(totals):
        raise ValueError("item_scores and totals differ in length")
    n = len(item_scores)
    if n < 2:
        return None
    size = max(1, round(fraction * n))
    size = min(size, n // 2)
    ranked = sorted(range(n), key=lambda i: totals[i])  # stable: ties keep the input order
    lower = [item_scores[i] for i in ranked[:size]]
    upper = [item_scores[i] for i in ranked[n - size :]]
    return sum(upper) / size - sum(lower) / size


@dataclass(frozen=True)
class ItemStats:
    key: str
    responses: int
    difficulty: float | None
    point_biserial: float | None
    upper_lower: float | None
    flags: tuple[str, ...]


def _flags(responses: int, p: float | None, d: float | None, min_responses: int) -> list[str]:
    if responses < min_responses:
        return ["few"]
    flags = []
    if d is not None and d < 0:
        flags.append("negative")
    elif d is not None and d < 0.2:
        flags.append("weak")
    if p is not None and p > 0.9:
        flags.append("easy")
    if p is not None and p < 0.2:
        flags.append("hard")
    return flags


def item_analysis(
    attempts: Sequence[Mapping[str, float]], *, min_responses: int = MIN_RESPONSES
) -> list[ItemStats]:
    """Statistics for every item met in ``attempts``, sorted by key."""
    keys = sorted({key for attempt in attempts for key in attempt})
    totals = [mean(list(a.values())) for a in attempts]
    out = []
    for key in keys:
        item_scores: list[float] = []
        rest: list[float] = []
        whole: list[float] = []
        for attempt, total in zip(attempts, totals, strict=True):
            if key not in attempt or total is None:
                continue
            score = attempt[key]
            item_scores.append(score)
            whole.append(total)
            if len(attempt) > 1:
                rest.append((total * len(attempt) - score) / (len(attempt) - 1))
        rpb = pearson(item_scores, rest) if len(rest) == len(item_scores) else None
        ul = upper_lower_index(item_scores, whole)
        p = mean(item_scores)
        discrimination = rpb if rpb is not None else ul
        out.append(
            ItemStats(
                key=key,
                responses=len(item_scores),
                difficulty=p,
                point_biserial=rpb,
                upper_lower=ul,
                flags=tuple(_flags(len(item_scores), p, discrimination, min_responses)),
            )
        )
    return out
