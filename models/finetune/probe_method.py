"""The "probe" method inside the engine: embed the rows once, fit a logistic regression.

It shares the engine's rows, seed, monitor, metrics and record; only the training differs (no
Trainer: the encoder is frozen, so there are no steps to take, just one convex fit).
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from models.finetune.checkpoint import folder_mb
from models.finetune.estimate import Calibration, Estimate
from models.finetune.monitor import Monitor
from models.finetune.runs import MethodResult
from models.resolver import PLAYGROUND_META

# Seconds per (row x feature x sqrt(classes)) for scikit-learn's L-BFGS fit, measured on
# SNIPS, CLINC150 and KorNLI embeddings on 2 cores.
FIT_SECONDS_PER_UNIT = 1e-7


def _embedder(run: Any) -> Any:
    from models.loading import load_embedder

    return load_embedder(run.config.base)


def _features(embedder: Any, frame: Any, pair: bool, on_batch: Any = None) -> np.ndarray:
    from models.probe import embed_features

    texts = frame["text"].astype(str).tolist()
    pairs = frame["text_pair"].astype(str).tolist() if pair else None
    return embed_features(embedder, texts, pairs, on_batch)


def calibrate_probe(run: Any) -> Calibration:
    """Time embedding a typical batch; the fit time comes from the problem's size."""
    started = time.perf_counter()
    embedder = _embedder(run)
    build_s = time.perf_counter() - started
    lengths = run.train.lengths
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    middle = order[len(order) // 2 : len(order) // 2 + 64]
    sample = run.data.train.iloc[middle]
    _features(embedder, sample, run.data.pair)  # warm-up
    timed = time.perf_counter()
    _features(embedder, sample, run.data.pair)
    tokens = max(sum(lengths[i] for i in middle), 1)
    token_s = (time.perf_counter() - timed) / tokens
    dim = embedder.model.get_embedding_dimension() * (4 if run.data.pair else 1)
    classes = len(run.data.labels)
    trainable = dim * (classes if classes > 2 else 1) + (classes if classes > 2 else 1)
    total = sum(p.numel() for p in embedder.model.parameters()) + trainable
    return Calibration(
        step_s=0.0, token_s=token_s, eval_token_s=token_s, build_s=build_s,
        trainable_params=trainable, total_params=total, save_bytes=trainable * 4,
        row_s=FIT_SECONDS_PER_UNIT * dim * math.sqrt(classes), curves=False,
    )  # fmt: skip


def _log_loss(probs: np.ndarray, targets: list[int]) -> float:
    return float(-np.mean(np.log(probs[np.arange(len(targets)), targets] + 1e-12)))


def train_probe(
    run: Any, monitor: Monitor, folder: Path | None, estimate: Estimate | None, run_id: str
) -> MethodResult:
    """Embed, fit, evaluate and save; failures are recorded, not raised."""
    from models.finetune.engine import is_main_process, metrics_from
    from models.finetune.monitor import PeakMemory
    from models.probe import fit_probe

    config = run.config
    result = MethodResult(
        method="probe", learning_rate=0.0, estimate=estimate.as_dict() if estimate else {}
    )
    started = time.perf_counter()
    labels = run.data.labels
    try:
        with PeakMemory(run.device) as memory:
            embedder = _embedder(run)
            total_rows = len(run.data.train)
            monitor.method("probe", status="training", total_steps=total_rows, step=0)

            def progress(done: int, total: int) -> None:
                # Pairs embed both sides: report training rows, not sentences.
                monitor.method("probe", step=min(done * total_rows // total, total_rows))
                if monitor.stop_requested:
                    raise InterruptedError

            fit_started = time.perf_counter()
            train_x = _features(embedder, run.data.train, run.data.pair, progress)
            probe = fit_probe(
                train_x, labels, run.data.train["label"].astype(str).tolist(), config.probe_c,
                run.data.pair,
            )  # fmt: skip
            result.train_s = time.perf_counter() - fit_started
            result.samples_per_s = total_rows / result.train_s if result.train_s else 0.0
            result.steps_done = result.steps_total = total_rows
            monitor.method("probe", status="evaluating", step=total_rows)
            eval_x = _features(embedder, run.data.eval, run.data.pair)
            eval_probs = probe.predict_proba(eval_x)
            index = {label: i for i, label in enumerate(labels)}
            truth = [index[str(t)] for t in run.data.eval["label"]]
            train_truth = [index[str(t)] for t in run.data.train["label"]]
            predicted = eval_probs.argmax(1)
            result.__dict__.update(metrics_from(predicted, np.array(truth), len(labels)))
            point = {"step": total_rows, "epoch": 1.0}
            train_loss = _log_loss(probe.predict_proba(train_x), train_truth)
            monitor.log("probe", {**point, "train_loss": train_loss})
            monitor.log("probe", {**point, "eval_loss": _log_loss(eval_probs, truth)})
            encoder_params = sum(p.numel() for p in embedder.model.parameters())
            result.trainable_params = probe.n_parameters
            result.total_params = encoder_params + probe.n_parameters
            result.trainable_pct = 100.0 * result.trainable_params / result.total_params
            if folder is not None and is_main_process():
                monitor.method("probe", status="saving")
                probe.save(folder)
                meta = {
                    "format": "embedding-probe", "base_ref": config.base, "labels": labels,
                    "pair": run.data.pair, "c": probe.c, "task": config.task,
                    "dataset": config.dataset, "method": "probe", "run_id": run_id,
                    "eval_accuracy": result.eval_accuracy, "eval_macro_f1": result.eval_macro_f1,
                }  # fmt: skip
                text = json.dumps(meta, indent=2, ensure_ascii=False)
                (folder / PLAYGROUND_META).write_text(text, encoding="utf-8")
                result.checkpoint = str(folder)
                result.checkpoint_mb = folder_mb(folder)
        result.peak_mem_mb = memory.peak_mb
        result.status = "done"
    except InterruptedError:
        result.status = "stopped"
    except (RuntimeError, ValueError, OSError) as err:
        result.status, result.error = "failed", f"{type(err).__name__}: {err}"
    result.wall_s = time.perf_counter() - started
    result.history = monitor.snapshot()["methods"].get("probe", {}).get("history", [])
    gap = ""
    if result.history and result.eval_accuracy is not None:
        losses = {k: v for p in result.history for k, v in p.items() if k.endswith("_loss")}
        gap = (
            f" Training loss {losses.get('train_loss', float('nan')):.3f}, evaluation loss "
            f"{losses.get('eval_loss', float('nan')):.3f}."
        )
    result.fit = {
        "verdict": "single fit",
        "note": "A convex fit on frozen embeddings: no epochs, so no curve to read." + gap,
    }
    monitor.method("probe", status=result.status)
    return result
