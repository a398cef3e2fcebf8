"""A task's default is replaced only by a model that scores at least as well on the same rows.

Everywhere a default changes (the start-up preparation, ``--default-for``, the Classification
tab, an operator promoting a run): the current default is evaluated on the new run's own
validation rows, and the new model wins only with an accuracy at least as high. A 0.2-minute run
can no longer replace a good default for everyone.
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import asdict, dataclass

from models.classify.evaluate import evaluate_frame
from models.classify.loaders import ZERO_SHOT
from models.core.errors import PlaygroundError
from models.core.i18n import Text, error_text
from models.core.settings import Settings, get_settings
from models.finetune.config import FinetuneConfig
from models.finetune.data import prepare_data
from models.finetune.names import key_title
from models.finetune.runs import MethodResult, RunRecord, load_record
from models.sources.task_models import choose_model, set_trained_model, task_models

MODES = {
    "zero-shot": Text("zero-shot", "zero-shot"),
    "trained": Text("trained", "학습한 모델"),
    "packaged": Text("packaged", "packaged"),
}


@dataclass(frozen=True)
class Promotion:
    """Which model a key uses after a comparison, and the numbers behind it."""

    key: str
    promoted: bool
    new_accuracy: float
    current_accuracy: float | None  # None: the current default could not be evaluated
    current: str  # what the current default is ("zero-shot", "trained", ...)
    rows: int
    message: Text

    def as_dict(self) -> dict:
        return asdict(self)


def _current_accuracy(key: str, record: RunRecord, settings: Settings) -> tuple[float, str, int]:
    """The current default's accuracy on ``record``'s evaluation rows, its mode, the row count."""
    spec = task_models()[key]
    choice = choose_model(key, settings)
    config = FinetuneConfig.from_dict(record.config)
    # The same seed and sizes give the same evaluation rows the run scored its methods on.
    rows = prepare_data(config, settings, all_rows=True).eval
    # As the Classification tab's "auto" does: a key without a usable model is zero-shot.
    model = ZERO_SHOT if choice.mode in ("zero-shot", "unavailable") else choice.ref
    report = evaluate_frame(rows, spec.task, model, spec.language or "en", config.dataset)
    return report.accuracy, choice.mode, len(rows)


def promote_if_better(
    key: str, record: RunRecord, result: MethodResult, settings: Settings | None = None
) -> Promotion:
    """Make ``result``'s model ``key``'s default if it scores at least as well as the current one
    on the run's validation rows; the message says which won and by how much."""
    settings = settings or get_settings()
    new = result.eval_accuracy
    if result.status != "done" or new is None:
        raise PlaygroundError(
            Text(
                "{m} did not finish, so it cannot become a default.",
                "{m}이(가) 끝나지 않아 기본 모델이 될 수 없습니다.",
                m=result.method,
            )
        )
    folder = result.merged_checkpoint or result.checkpoint
    try:
        current, mode, rows = _current_accuracy(key, record, settings)
    except PlaygroundError as err:
        logging.getLogger(__name__).warning("current default of %s not evaluated: %s", key, err)
        set_trained_model(key, folder, settings)
        message = Text(
            "The new model ({new:.3f} validation accuracy) is now the default for {task}; the "
            "current one could not be evaluated ({err})",
            "새 모델(검증 정확도 {new:.3f})이 이제 {task}의 기본 모델입니다. 현재 모델은 평가할 "
            "수 없었습니다({err})",
            new=new,
            task=key_title(key),
            err=error_text(err),
        )
        return Promotion(key, True, new, None, "unavailable", record.data["eval_rows"], message)
    what = Text(
        "the current default ({mode}, {acc:.3f})", "현재 기본 모델({mode}, {acc:.3f})",
        mode=MODES.get(mode, mode), acc=current,
    )  # fmt: skip
    task = key_title(key)
    if new >= current:
        set_trained_model(key, folder, settings)
        message = Text(
            "The new model ({new:.3f}) is now the default for {task}: it scored at least as well "
            "as {what} on the same {rows:,} validation rows.",
            "새 모델({new:.3f})이 이제 {task}의 기본 모델입니다: 같은 검증 행 {rows:,}개에서 "
            "{what}보다 낮지 않았습니다.",
            new=new, task=task, what=what, rows=rows,
        )  # fmt: skip
    else:
        message = Text(
            "Kept {what} for {task}: the new model scored {new:.3f} on the same {rows:,} "
            "validation rows. The new model stays in Past runs.",
            "{task}에는 {what}을(를) 그대로 둡니다: 새 모델은 같은 검증 행 {rows:,}개에서 "
            "{new:.3f}였습니다. 새 모델은 지난 학습에 남아 있습니다.",
            new=new, task=task, what=what, rows=rows,
        )  # fmt: skip
    return Promotion(key, new >= current, new, current, mode, rows, message)


def main(argv: list[str] | None = None) -> int:
    """``python -m models.finetune.promotion RUN_ID METHOD --key KEY``: an operator promotes a
    finished method of a past run (on the same terms as every default)."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("run_id")
    parser.add_argument("method")
    parser.add_argument("--key", required=True, help="the model key, e.g. sentiment-ko")
    args = parser.parse_args(argv)
    try:
        if args.key not in task_models() or not task_models()[args.key].task:
            raise PlaygroundError(f"Unknown classification key '{args.key}'.")
        try:
            record = load_record(args.run_id)
        except OSError as err:
            runs = get_settings().runs_dir
            raise PlaygroundError(f"There is no run '{args.run_id}' in {runs}.") from err
        result = record.result(args.method)
        if result is None:
            raise PlaygroundError(f"Run {args.run_id} has no method '{args.method}'.")
        print(promote_if_better(args.key, record, result).message)
    except (PlaygroundError, OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
