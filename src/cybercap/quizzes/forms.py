"""One form for a whole attempt, with fields per item type, usable without JavaScript.

Ordering items ask for a position (a select box) per option; matching items ask for a target
(a select box) per option. ``answers()`` turns cleaned data into the answers that
:mod:`cybercap.quizzes.scoring` scores.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cybercap.quizzes.models import Item


def display_options(item: Item, seed: str) -> list[dict[str, str]]:
    """Options in the order shown: ordering items are shuffled (the key is their order)."""
    options = list(item.options)
    if item.type == "ordering":
        rng = random.Random(f"{seed}:{item.key}")  # noqa: S311 - display order only
        for _attempt in range(5):
            rng.shuffle(options)
            if [o["id"] for o in options] != list(item.correct) or len(options) < 2:
                break
    return options


@dataclass
class ItemFields:
    item: Item
    number: int
    fields: list[forms.BoundField]
    options: list[dict[str, str]]

    @property
    def errors(self) -> list[str]:
        return [str(e) for f in self.fields for e in f.errors]


def _name(item: Item, option: str | None = None) -> str:
    return f"i-{item.key}" if option is None else f"i-{item.key}-{option}"


class AttemptForm(forms.Form):
    def __init__(self, *args: Any, items: list[Item], seed: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        self.shown: dict[str, list[dict[str, str]]] = {}
        for item in items:
            options = display_options(item, seed)
            self.shown[item.key] = options
            choices = [(o["id"], o["text"]) for o in options]
            if item.type in ("single", "true_false"):
                self.fields[_name(item)] = forms.ChoiceField(
                    label=item.stem, choices=choices, widget=forms.RadioSelect
                )
            elif item.type == "multiple":
                self.fields[_name(item)] = forms.MultipleChoiceField(
                    label=item.stem,
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                    required=False,
                )
            elif item.type == "ordering":
                positions = [("", "—")] + [(str(n), str(n)) for n in range(1, len(options) + 1)]
                for option in options:
                    self.fields[_name(item, option["id"])] = forms.TypedChoiceField(
                        label=option["text"], choices=positions, coerce=int
                    )
            elif item.type == "matching":
                targets = [("", "—")] + [(t["id"], t["text"]) for t in item.targets]
                for option in options:
                    self.fields[_name(item, option["id"])] = forms.ChoiceField(
                        label=option["text"], choices=targets
                    )

    def groups(self) -> list[ItemFields]:
        out = []
        for number, item in enumerate(self.items, start=1):
            if item.type in ("ordering", "matching"):
                names = [_name(item, o["id"]) for o in self.shown[item.key]]
            else:
                names = [_name(item)]
            out.append(ItemFields(item, number, [self[n] for n in names], self.shown[item.key]))
        return out

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for item in self.items:
            if item.type != "ordering":
                continue
            names = [_name(item, o["id"]) for o in item.options]
            positions = [cleaned.get(n) for n in names]
            if None in positions:
                continue  # the missing field has its own error
            if sorted(positions) != list(range(1, len(names) + 1)):  # type: ignore[type-var]
                self.add_error(names[0], _("Give each position exactly once."))
        return cleaned

    def answers(self) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {}
        for item in self.items:
            if item.type in ("single", "true_false"):
                out[item.key] = [data[_name(item)]]
            elif item.type == "multiple":
                out[item.key] = sorted(data.get(_name(item)) or [])
            elif item.type == "ordering":
                ids = [o["id"] for o in item.options]
                out[item.key] = sorted(ids, key=lambda o: data[_name(item, o)])
            else:
                out[item.key] = {o["id"]: data[_name(item, o["id"])] for o in item.options}
        return out
