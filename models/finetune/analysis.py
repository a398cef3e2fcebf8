"""Read the train and evaluation loss curves and say, in plain words, how the fit went."""

from __future__ import annotations


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
        "note": "Too few evaluation points to read a trend; train longer to see the curves.",
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
        result["note"] = (
            f"Evaluation loss was lowest at epoch {best_epoch:.2f} ({best_loss:.3f}) and rose "
            f"{rise:.0%} by the end while training loss kept falling: the model started "
            "memorising the training rows. Stop near the best epoch, add data, or regularise."
        )
    # "Barely above chance": less than a quarter of the way from chance to perfect.
    elif (accuracy is not None and accuracy < chance + 0.25 * (1 - chance)) or (
        first_train is not None and train_final is not None and train_final > 0.8 * first_train
    ):
        result["verdict"] = "under-fitting"
        result["note"] = (
            f"Training loss barely fell ({first_train:.3f} to {train_final:.3f})"
            if first_train is not None and train_final is not None
            else "Accuracy is close to chance"
        ) + (
            ": the model has not learned the task yet. Train longer, raise the learning rate, "
            "or use a method that trains more of the model."
        )
    elif evals[-2][1] - final_loss > 0.05 * evals[-2][1]:
        result["verdict"] = "still improving"
        result["note"] = (
            f"Evaluation loss was still falling at the end ({evals[-2][1]:.3f} to "
            f"{final_loss:.3f}): more epochs or rows would likely help."
        )
    else:
        result["verdict"] = "good fit"
        gap_text = f" The train/eval gap is {gap:+.3f}." if gap is not None else ""
        result["note"] = (
            f"Evaluation loss levelled off near its best ({best_loss:.3f} at epoch "
            f"{best_epoch:.2f}).{gap_text}"
        )
    if gap is not None and gap > 0.5 and result["verdict"] == "good fit":
        result["verdict"] = "over-fitting"
        result["note"] += " That gap is large: the model fits training rows much better."
    return result
