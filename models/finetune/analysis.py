"""Read the train and evaluation loss curves and say, in plain words, how the fit went."""

from __future__ import annotations

from models.core.i18n import Text


def _smoothed_train_loss(history: list[dict], last: int = 3) -> float | None:
    losses = [p["train_loss"] for p in history if "train_loss" in p]
    return sum(losses[-last:]) / len(losses[-last:]) if losses else None


def fit_note(history: list[dict], accuracy: float | None, n_labels: int) -> dict:
    """Best epoch, the train/eval gap, and a one-paragraph verdict.

    Returns:
        ``{"best_epoch", "best_eval_loss", "final_eval_loss", "final_train_loss", "gap",
        "verdict", "note"}``; verdict is one of ``over-fitting``, ``under-fitting``,
        ``still improving``, ``good fit`` or ``too short to tell``.
    """
    evals = [(p["epoch"], p["eval_loss"]) for p in history if "eval_loss" in p]
    train_final = _smoothed_train_loss(history)
    train_losses = [p["train_loss"] for p in history if "train_loss" in p]
    result = {
        "best_epoch": None,
        "best_eval_loss": None,
        "final_eval_loss": None,
        "final_train_loss": train_final,
        "gap": None,
        "verdict": "too short to tell",
        "note": Text(
            "Too few evaluation points to read a trend; train longer to see the curves.",
            "평가 지점이 너무 적어 추세를 읽을 수 없습니다. 곡선을 보려면 더 오래 학습하세요.",
        ),
    }
    if len(evals) < 2:
        return result
    best_epoch, best_loss = min(evals, key=lambda e: e[1])
    final_epoch, final_loss = evals[-1]
    gap = final_loss - train_final if train_final is not None else None
    result.update(
        best_epoch=best_epoch, best_eval_loss=best_loss, final_eval_loss=final_loss, gap=gap
    )
    chance = 1.0 / max(n_labels, 1)
    rise = (final_loss - best_loss) / best_loss if best_loss > 0 else 0.0
    first_train = train_losses[0] if train_losses else None

    if best_epoch < final_epoch and rise > 0.10:
        result["verdict"] = "over-fitting"
        result["note"] = Text(
            "Evaluation loss was lowest at epoch {best:.2f} ({loss:.3f}) and rose {rise:.0%} by "
            "the end while training loss kept falling: the model started memorising the training "
            "rows. Stop near the best epoch, add data, or regularise.",
            "평가 손실은 에폭 {best:.2f}에서 가장 낮았고({loss:.3f}), 학습 손실이 계속 내려가는 "
            "동안 끝까지 {rise:.0%} 올랐습니다: 모델이 학습 행을 외우기 시작했습니다. 가장 좋은 "
            "에폭 근처에서 멈추거나, 데이터를 늘리거나, 규제를 더하세요.",
            best=best_epoch, loss=best_loss, rise=rise,
        )  # fmt: skip
    # "Barely above chance": less than a quarter of the way from chance to perfect.
    elif (accuracy is not None and accuracy < chance + 0.25 * (1 - chance)) or (
        first_train is not None and train_final is not None and train_final > 0.8 * first_train
    ):
        result["verdict"] = "under-fitting"
        why = (
            Text(
                "Training loss barely fell ({a:.3f} to {b:.3f})",
                "학습 손실이 거의 내려가지 않았습니다({a:.3f}에서 {b:.3f})",
                a=first_train, b=train_final,
            )
            if first_train is not None and train_final is not None
            else Text("Accuracy is close to chance", "정확도가 우연 수준에 가깝습니다")
        )  # fmt: skip
        result["note"] = Text(
            "{why}: the model has not learned the task yet. Train longer, raise the learning "
            "rate, or use a method that trains more of the model.",
            "{why}: 모델이 아직 작업을 배우지 못했습니다. 더 오래 학습하거나, 학습률을 올리거나, "
            "모델을 더 많이 학습하는 방법을 쓰세요.",
            why=why,
        )
    elif evals[-2][1] - final_loss > 0.05 * evals[-2][1]:
        result["verdict"] = "still improving"
        result["note"] = Text(
            "Evaluation loss was still falling at the end ({a:.3f} to {b:.3f}): more epochs or "
            "rows would likely help.",
            "끝날 때까지 평가 손실이 내려가고 있었습니다({a:.3f}에서 {b:.3f}): 에폭이나 행을 "
            "늘리면 나아질 것입니다.",
            a=evals[-2][1],
            b=final_loss,
        )
    else:
        result["verdict"] = "good fit"
        gap_text = (
            Text(
                " The train/eval gap is {gap:+.3f}.", " 학습/평가 격차는 {gap:+.3f}입니다.", gap=gap
            )
            if gap is not None
            else ""
        )
        result["note"] = Text(
            "Evaluation loss levelled off near its best ({loss:.3f} at epoch {epoch:.2f}).{gap}",
            "평가 손실이 가장 좋은 값 근처에서 평평해졌습니다"
            "(에폭 {epoch:.2f}에서 {loss:.3f}).{gap}",
            loss=best_loss,
            epoch=best_epoch,
            gap=gap_text,
        )
    if gap is not None and gap > 0.5 and result["verdict"] == "good fit":
        result["verdict"] = "over-fitting"
        result["note"] = Text(
            "{note} That gap is large: the model fits training rows much better.",
            "{note} 격차가 큽니다: 모델이 학습 행에 훨씬 더 잘 맞습니다.",
            note=result["note"],
        )
    return result
