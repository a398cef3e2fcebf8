"""How sure a prediction is, said honestly: a top score barely above chance, or barely ahead of the
runner-up, reads "not sure" instead of looking like an answer.

Two rules, either one makes a prediction unsure:

- **Close to uniform.** Chance is ``1/n`` for ``n`` labels. A top score that has not covered a
  quarter of the way from chance to certainty, ``p < 1/n + 0.25 * (1 - 1/n)``, is close to
  uniform: under 62.5% for two labels, 50% for three, 35.7% for seven, ~25.5% for 150. A fixed
  multiple of chance (``1.5/n``) would not do: for two labels it asks 75% and for seven it calls
  25% (the issue's "wake me up at 7am" -> GetWeather) confident.
- **A close call.** A top score less than 10 points ahead of the runner-up, whatever ``n``.

The thresholds are a reading aid, not a calibration: zero-shot scores come from a softmax over
similarities with a fixed temperature, so "not sure" says the model barely prefers its answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from models.classify.labels import label_text
from models.core.i18n import Text

CHANCE_LIFT = 0.25  # share of the way from chance (1/n) to certainty the top score must cover
MIN_MARGIN = 0.10  # the top score must lead the runner-up by this much


@dataclass(frozen=True)
class Confidence:
    """The top label, its runner-up, and whether the top one is a real answer."""

    label: str
    score: float
    runner_up: str | None
    runner_up_score: float | None
    margin: float  # top score minus the runner-up's (the top score itself with one label)
    n_labels: int
    near_uniform: bool
    close_call: bool

    @property
    def confident(self) -> bool:
        return not (self.near_uniform or self.close_call)

    @property
    def chance(self) -> float:
        return 1.0 / self.n_labels

    def as_api(self) -> dict:
        """The fields the ``/classify`` endpoint adds."""
        return {
            "confident": self.confident,
            "runner_up": self.runner_up,
            "margin": round(self.margin, 4),
        }

    def sentence(self) -> Text:
        """One line for people ("" when the answer is clear)."""
        if self.confident:
            return Text("", "")
        top = {"label": label_text(self.label), "score": self.score}
        runner = {"runner": label_text(self.runner_up or ""), "rscore": self.runner_up_score or 0}
        if self.near_uniform:
            return Text(
                "🤔 **Not sure.** {label} {score:.0%} is close to chance ({chance:.0%} with {n} "
                "labels); runner-up: {runner} {rscore:.0%}.",
                "🤔 **확신하기 어렵습니다.** 1위 {label} {score:.0%}는 레이블 {n}개의 우연 수준"
                "({chance:.0%})에 가깝습니다. 2위: {runner} {rscore:.0%}.",
                chance=self.chance, n=self.n_labels, **top, **runner,
            )  # fmt: skip
        return Text(
            "🤔 **Not sure.** {label} {score:.0%} is barely ahead of the runner-up, "
            "{runner} {rscore:.0%}.",
            "🤔 **확신하기 어렵습니다.** 1위 {label} {score:.0%}와 2위 {runner} {rscore:.0%}의 "
            "차이가 작습니다.",
            **top, **runner,
        )  # fmt: skip


def judge(scores: Mapping[str, float]) -> Confidence:
    """How sure ``scores`` (label -> probability, summing to 1) are about their top label."""
    if not scores:
        raise ValueError("no scores to judge")
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    label, score = ranked[0]
    n = len(ranked)
    runner_up, runner_score = ranked[1] if n > 1 else (None, None)
    margin = score - (runner_score or 0.0)
    chance = 1.0 / n
    near_uniform = n > 1 and score < chance + CHANCE_LIFT * (1.0 - chance)
    close_call = n > 1 and margin < MIN_MARGIN
    return Confidence(
        label, float(score), runner_up, None if runner_score is None else float(runner_score),
        float(margin), n, near_uniform, close_call,
    )  # fmt: skip
