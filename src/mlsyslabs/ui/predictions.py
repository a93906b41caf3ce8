"""Grading a committed prediction against the engine's answer. Pure logic (no
marimo), so labs, tests and the ledger share one definition of 'correct' and
'off by'."""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class PredictionResult:
    id: str  # e.g. "partA"
    invariant: str
    choice: str | None  # the option key (multiple choice)
    predicted: float | None  # the learner's number (numeric, or the option's implied value)
    actual: float | None  # the engine's number
    correct: bool
    explanation: str  # why: which term, limit or mechanism decided it
    correct_choice: str | None = None
    unit: str = ""
    label: str | None = None  # the option text the learner committed (choice questions)
    answer_label: str | None = None  # the option text of the right answer

    @property
    def off_by(self) -> float | None:
        """max(p/a, a/p); None when either side is missing or not positive."""
        p, a = self.predicted, self.actual
        if p is None or a is None or p <= 0 or a <= 0:
            return None
        return max(p / a, a / p)

    @property
    def direction(self) -> str | None:
        if self.off_by is None or self.off_by < 1.0000001:
            return None
        return "under" if self.predicted < self.actual else "over"

    def to_record(self) -> dict:
        off = self.off_by
        rec = {"id": self.id, "invariant": self.invariant, "choice": self.choice, "predicted": _finite(self.predicted),
               "actual": _finite(self.actual), "correct": self.correct,
               "off_by": off if off is not None and math.isfinite(off) else None}
        rec.update({k: v for k, v in (("label", self.label), ("answer_label", self.answer_label)) if v is not None})
        return rec

    @property
    def answer(self):
        """What the learner committed: the option key, or the number."""
        return self.choice if self.choice is not None else self.predicted

    def with_labels(self, labels: dict) -> "PredictionResult":
        """The same result naming the options in words (`labels`: key -> text)."""
        from dataclasses import replace

        return replace(self, label=labels.get(self.choice, self.label),
                       answer_label=labels.get(self.correct_choice, self.answer_label))


def _finite(x):
    return x if isinstance(x, (int, float)) and math.isfinite(x) else None


def grade_choice(id: str, invariant: str, choice: str, correct_choice: str, *, explanation: str,
                 option_values: dict | None = None, actual: float | None = None, unit: str = "") -> PredictionResult:
    """Multiple choice. `option_values` maps each option to the number it implies
    (e.g. '4x speedup' -> 4.0) so the reveal can say how far off it was."""
    predicted = (option_values or {}).get(choice)
    return PredictionResult(id, invariant, choice, predicted, actual, choice == correct_choice, explanation,
                            correct_choice, unit)


def grade_numeric(id: str, invariant: str, predicted: float, actual: float, *, explanation: str,
                  tolerance: float = 2.0, unit: str = "") -> PredictionResult:
    """Numeric estimate: correct when within a factor `tolerance` of the answer."""
    off = max(predicted / actual, actual / predicted) if predicted > 0 and actual > 0 else math.inf
    return PredictionResult(id, invariant, None, predicted, actual, off <= tolerance, explanation, None, unit)


def choice_for_value(value: float, thresholds: list[tuple[float, str]]) -> str:
    """The option whose range holds `value`: thresholds are (upper bound, key) in
    ascending order; the last key catches everything above."""
    for bound, key in thresholds:
        if value < bound:
            return key
    return thresholds[-1][1]


def closest_option(option_values: dict, actual: float) -> str:
    """The option whose implied value is nearest the answer on a log scale
    (magnitude questions: 'about 1,000x' vs 'about 300,000x')."""
    return min(option_values, key=lambda k: abs(math.log(option_values[k]) - math.log(actual)))
