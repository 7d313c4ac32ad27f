"""Every scale type of the rating grid, defined once.

A :class:`Scale` knows what the parser says it expects, which parsed values are valid (the
schema checks), how a value becomes points in [0, 1] (scoring and the comparable core),
whether it is lower-is-better by nature (configuration checks) and how the example
generator draws a value. :data:`SCALES` is the registry every other module asks.

>>> import numpy as np
>>> SCALES["grade6"].points(np.array([1.0, 6.0]), "lower_is_better").tolist()
[1.0, 0.0]
>>> SCALES["likert5"].valid_values, SCALES["likert5"].low, SCALES["likert5"].high
(None, 1.0, 5.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

EPS = 1e-9  # tolerance of inclusive limits (thresholds, knockouts at 0 points)


@dataclass(frozen=True)
class Scale:
    """One scale type: parsing kind, validity, points, natural direction, example draw."""

    name: str
    parse_kind: Literal["tokens", "number", "duration", "hours"]
    expected: str  # what the parser says it expected ({yes}/{no}/{partly}: the mapping's tokens)
    invalid: str  # what the schema says when a parsed value is out of range
    low: float
    high: float
    valid_values: tuple[float, ...] | None = None  # discrete values (tokens), else a range
    whole: bool = False  # whole numbers only
    lower_is_better: bool = False  # by nature (grade 1 best; time items)
    timed: bool = False  # points from the item's thresholds
    grade_words: bool = False  # grade words (sehr gut …) are accepted

    def points(self, values: np.ndarray, direction: str = "higher_is_better",
               thresholds: tuple[tuple[float, float], ...] = ()) -> np.ndarray:
        """Points in [0, 1] for parsed values (NaN stays NaN); see docs/scoring.md.

        yes = 1, partly = 0.5, no = 0; Likert (x − 1)/4; school grade (6 − g)/5; 0–10 → x/10;
        time items by the inclusive thresholds. ``lower_is_better`` flips yes/no, Likert and
        0–10 items (grade and time scales are lower-is-better by nature).
        """
        v = np.asarray(values, dtype=float)
        if self.timed:
            p = np.where(np.isnan(v), np.nan, 0.0)
            for limit, pts in reversed(thresholds):
                p = np.where(v <= limit + EPS, pts, p)
            return p
        if self.lower_is_better:  # grade: 1 best
            return (self.high - v) / (self.high - self.low)
        p = (v - self.low) / (self.high - self.low)
        return 1.0 - p if direction == "lower_is_better" else p

    def draw(self, p: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A value per contact whose expected points grow with ``p`` in [0, 1] (example data)."""
        n = len(p)
        if self.name == "yes_no":
            return (rng.random(n) < p).astype(float)
        if self.name == "yes_partly_no":
            return rng.binomial(2, p) / 2.0
        if self.name == "likert5":
            return 1.0 + rng.binomial(4, p)
        if self.name == "grade6":
            return 6.0 - rng.binomial(5, p)
        if self.name == "scale10":
            return rng.binomial(20, p) / 2.0  # half points occur (decimal comma in exports)
        raise ValueError(f"scale {self.name} is drawn from a time model, not from p")


SCALES: dict[str, Scale] = {s.name: s for s in (
    Scale("yes_no", "tokens", "expected yes/no ({yes} / {no})", "expected yes or no",
          0.0, 1.0, valid_values=(0.0, 1.0)),
    Scale("yes_partly_no", "tokens", "expected yes/partly/no ({yes} / {partly} / {no})",
          "expected yes, partly or no", 0.0, 1.0, valid_values=(0.0, 0.5, 1.0)),
    Scale("likert5", "number", "expected a whole number 1-5", "expected a whole number 1-5",
          1.0, 5.0, whole=True),
    Scale("grade6", "number", "expected a school grade 1-6 (or sehr gut … ungenügend)",
          "expected a school grade 1-6 (whole number)", 1.0, 6.0, whole=True,
          lower_is_better=True, grade_words=True),
    Scale("scale10", "number", "expected a number 0-10", "expected a number 0-10", 0.0, 10.0),
    Scale("seconds", "duration", "expected a duration like 2:35 or 155 s",
          "expected a duration >= 0 s (at most a day)", 0.0, 86400.0, lower_is_better=True,
          timed=True),
    Scale("hours", "hours", "expected hours as a number >= 0", "expected hours >= 0",
          0.0, 24.0 * 365, lower_is_better=True, timed=True),
)}
SCALE_NAMES: tuple[str, ...] = tuple(SCALES)
