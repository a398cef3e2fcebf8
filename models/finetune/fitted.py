"""Methods fitted in one go instead of trained by steps: the embedding probe and char n-grams.

They share the engine's rows, seed, monitor, metrics and record; only the training differs (no
Trainer: a convex fit, so there are no steps to take and no curve to read).
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from models.classify.embedding_probe import embed_features, fit_probe
from models.classify.ngram import MAX_FEATURES, fit_ngram
from models.core.device import is_main_process
from models.core.i18n import Text, error_text, join
from models.core.measure import PeakMemory
from models.core.monitor import Monitor
from models.core.progress import Progress, silent
from models.finetune.checkpoint import folder_mb
from models.finetune.estimate import Calibration, Estimate
from models.finetune.prepared import PreparedRun
from models.finetune.runs import MethodResult
from models.sources.formats import write_meta
from models.sources.loading import LoadedEmbedder, load_embedder

# Seconds per (row x feature x sqrt(classes)) for scikit-learn's L-BFGS fit, measured on
# SNIPS, CLINC150 and KorNLI embeddings on 2 cores.
PROBE_FIT_SECONDS_PER_UNIT = 1e-7
NGRAM_CALIBRATION_ROWS = 1000
WARM_UP_ROWS = 250


@dataclass
class Fitted:
    """What a fitter hands back: the model, its probabilities, and how to save it."""

    model: Any  # has n_parameters and save(folder)
    train_probs: np.ndarray
    eval_probs: np.ndarray
    frozen_params: int  # weights used but not trained (the encoder under a probe)
    meta: dict = field(default_factory=dict)  # playground.json fields beyond the common ones


class Fitter(Protocol):
    method: str
    checkpoint_format: str
    note: Text

    def calibrate(self, run: PreparedRun) -> Calibration: ...

    def memory_mb(self, calibration: Calibration, rows: int) -> float: ...

    def fit(self, run: PreparedRun, progress: Progress) -> Fitted: ...


def _texts(frame: pd.DataFrame, pair: bool) -> tuple[list[str], list[str] | None]:
    texts = frame["text"].astype(str).tolist()
    return texts, frame["text_pair"].astype(str).tolist() if pair else None


class ProbeFitter:
    """Sentence embeddings of the frozen encoder + logistic regression."""

    method = "probe"
    checkpoint_format = "embedding-probe"
    note = Text(
        "A convex fit on frozen embeddings: no epochs, so no curve to read.",
        "고정된 임베딩 위의 볼록 최적화입니다: 에폭이 없어 읽을 곡선이 없습니다.",
    )

    @staticmethod
    def _embedder(run: PreparedRun) -> LoadedEmbedder:
        return load_embedder(run.config.base)

    @staticmethod
    def _features(
        embedder: LoadedEmbedder, frame: pd.DataFrame, pair: bool, progress: Progress = silent
    ) -> np.ndarray:
        texts, pairs = _texts(frame, pair)
        return embed_features(embedder, texts, pairs, progress)

    def calibrate(self, run: PreparedRun) -> Calibration:
        """Time embedding a typical batch; the fit time comes from the problem's size."""
        started = time.perf_counter()
        embedder = self._embedder(run)
        build_s = time.perf_counter() - started
        lengths = run.train.lengths
        order = sorted(range(len(lengths)), key=lengths.__getitem__)
        middle = order[len(order) // 2 : len(order) // 2 + 64]
        sample = run.data.train.iloc[middle]
        self._features(embedder, sample, run.data.pair)  # warm-up
        timed = time.perf_counter()
        self._features(embedder, sample, run.data.pair)
        tokens = max(sum(lengths[i] for i in middle), 1)
        token_s = (time.perf_counter() - timed) / tokens
        dim = embedder.model.get_embedding_dimension() * (4 if run.data.pair else 1)
        classes = len(run.data.labels)
        trainable = dim * (classes if classes > 2 else 1) + (classes if classes > 2 else 1)
        total = sum(p.numel() for p in embedder.model.parameters()) + trainable
        return Calibration(
            step_s=0.0, token_s=token_s, eval_token_s=token_s, build_s=build_s,
            trainable_params=trainable, total_params=total, save_bytes=trainable * 4,
            row_s=PROBE_FIT_SECONDS_PER_UNIT * dim * math.sqrt(classes), curves=False,
        )  # fmt: skip

    def memory_mb(self, calibration: Calibration, rows: int) -> float:
        # The encoder's weights and the embedded rows (one float32 vector per row).
        return (calibration.total_params + calibration.trainable_params * rows) * 4 / 2**20

    def fit(self, run: PreparedRun, progress: Progress) -> Fitted:
        embedder = self._embedder(run)
        data = run.data
        train_x = self._features(embedder, data.train, data.pair, progress)
        targets = data.train["label"].astype(str).tolist()
        probe = fit_probe(train_x, data.labels, targets, run.config.probe_c, data.pair)
        eval_x = self._features(embedder, data.eval, data.pair)
        return Fitted(
            model=probe,
            train_probs=probe.predict_proba(train_x),
            eval_probs=probe.predict_proba(eval_x),
            frozen_params=sum(p.numel() for p in embedder.model.parameters()),
            meta={**probe.meta(), "base_ref": run.config.base},
        )


def scaled_vocabulary(
    sample_features: int, sample_rows: int, warm_features: int, warm_rows: int, rows: int
) -> int:
    """The n-gram count of a fit on ``rows``, from fits on two samples (Heaps' law).

    Vocabulary grows like rows**k; k comes from the two samples (0.9 for Korean reviews, where
    ``min_df`` 2 admits many n-grams late; 0.6 for English commands) and is 0.5 when they cannot
    tell. Capped like the real fit. k shrinks as rows grow, so this errs high (NSMC, 18,012 rows:
    ~122k estimated, 103k fitted).
    """
    k = 0.5
    if 0 < warm_features < sample_features and 0 < warm_rows < sample_rows:
        k = math.log(sample_features / warm_features) / math.log(sample_rows / warm_rows)
        k = min(1.0, max(0.5, k))
    return min(int(sample_features * (max(rows, 1) / max(sample_rows, 1)) ** k), MAX_FEATURES)


class NgramFitter:
    """Character n-gram TF-IDF + logistic regression (no encoder at all)."""

    method = "ngram"
    checkpoint_format = "ngram"
    note = Text(
        "A convex fit on character n-grams: no epochs, so no curve to read.",
        "문자 n-그램 위의 볼록 최적화입니다: 에폭이 없어 읽을 곡선이 없습니다.",
    )

    def calibrate(self, run: PreparedRun) -> Calibration:
        """Fit on a sample of the rows; the time per row scales to the whole run."""
        data = run.data
        rows = data.train.sample(
            n=min(NGRAM_CALIBRATION_ROWS, len(data.train)), random_state=run.config.seed
        )
        texts, pairs = _texts(rows, data.pair)
        targets = rows["label"].astype(str).tolist()
        # The first fit in a process pays one-off costs (scikit-learn's lazy imports, ~1.6 s):
        # timed, they read as per-row cost and inflated a full fit's estimate ~4x. Pay them on a
        # quarter of the sample first, untimed; its vocabulary shows how fast n-grams grow.
        warm = min(WARM_UP_ROWS, len(rows))
        warm_features = 0
        with contextlib.suppress(ValueError):  # a class missing from those rows
            warmed = fit_ngram(texts[:warm], data.labels, targets[:warm], pairs and pairs[:warm])
            warm_features = len(warmed.vocabulary)
        started = time.perf_counter()
        try:
            model = fit_ngram(texts, data.labels, targets, pairs)
            features = len(model.vocabulary)
        except ValueError:  # a class missing from the sample: time the vectoriser alone
            features = 0
        row_s = (time.perf_counter() - started) / max(len(rows), 1)
        features = scaled_vocabulary(features, len(rows), warm_features, warm, len(data.train))
        features *= 2 if data.pair else 1
        classes = len(data.labels)
        trainable = features * (classes if classes > 2 else 1) + features
        return Calibration(
            step_s=0.0, token_s=0.0, eval_token_s=0.0, build_s=0.0,
            trainable_params=trainable, total_params=trainable, save_bytes=trainable * 8,
            row_s=row_s, curves=False,
        )  # fmt: skip

    def memory_mb(self, calibration: Calibration, rows: int) -> float:
        # A sparse matrix of ~200 non-zeros per row (index + value) and the vocabulary.
        return (rows * 200 * 12 + calibration.trainable_params * 60) / 2**20

    def fit(self, run: PreparedRun, progress: Progress) -> Fitted:
        data = run.data
        texts, pairs = _texts(data.train, data.pair)
        total = len(data.train)
        progress(0, total, "")
        model = fit_ngram(
            texts, data.labels, data.train["label"].astype(str).tolist(), pairs,
            progress=lambda done, steps, stage: progress(0, total, stage),
        )  # fmt: skip
        progress(total, total, "")
        eval_texts, eval_pairs = _texts(data.eval, data.pair)
        return Fitted(
            model=model,
            train_probs=model.predict_proba(texts, pairs),
            eval_probs=model.predict_proba(eval_texts, eval_pairs),
            frozen_params=0,
            meta=model.meta(),
        )


FITTERS: dict[str, Fitter] = {f.method: f for f in (ProbeFitter(), NgramFitter())}


def fitter_for(method: str) -> Fitter:
    return FITTERS[method]


def _log_loss(probs: np.ndarray, targets: list[int]) -> float:
    return float(-np.mean(np.log(probs[np.arange(len(targets)), targets] + 1e-12)))


def train_fitted(
    run: PreparedRun,
    method: str,
    monitor: Monitor,
    folder: Path | None,
    estimate: Estimate | None,
    run_id: str,
) -> MethodResult:
    """Fit, evaluate and save one fitted method; failures are recorded, not raised."""
    fitter = fitter_for(method)
    config = run.config
    result = MethodResult(
        method=method, learning_rate=0.0, estimate=estimate.as_dict() if estimate else {}
    )
    started = time.perf_counter()
    labels = run.data.labels
    total_rows = len(run.data.train)
    try:
        with PeakMemory(run.device) as memory:
            monitor.method(method, status="training", total_steps=total_rows, step=0)

            def progress(done: float, total: float, message: str = "") -> None:
                # Pairs embed both sides: report training rows, not sentences.
                monitor.method(
                    method, step=min(int(done * total_rows // max(total, 1)), total_rows)
                )
                if monitor.stop_requested:
                    raise InterruptedError

            fit_started = time.perf_counter()
            fitted = fitter.fit(run, progress)
            result.train_s = time.perf_counter() - fit_started
            result.samples_per_s = total_rows / result.train_s if result.train_s else 0.0
            result.steps_done = result.steps_total = total_rows
            monitor.method(method, status="evaluating", step=total_rows)
            index = {label: i for i, label in enumerate(labels)}
            truth = [index[str(t)] for t in run.data.eval["label"]]
            train_truth = [index[str(t)] for t in run.data.train["label"]]
            predicted = fitted.eval_probs.argmax(1)
            result.record_metrics(predicted, truth, len(labels))
            point = {"step": total_rows, "epoch": 1.0}
            monitor.log(method, {**point, "train_loss": _log_loss(fitted.train_probs, train_truth)})
            monitor.log(method, {**point, "eval_loss": _log_loss(fitted.eval_probs, truth)})
            result.trainable_params = fitted.model.n_parameters
            result.total_params = fitted.frozen_params + fitted.model.n_parameters
            result.trainable_pct = 100.0 * result.trainable_params / result.total_params
            if folder is not None and is_main_process():
                monitor.method(method, status="saving")
                fitted.model.save(folder)
                write_meta(folder, {
                    **fitted.meta, "format": fitter.checkpoint_format, "labels": labels,
                    "pair": run.data.pair, "task": config.task, "dataset": config.dataset,
                    "method": method, "run_id": run_id, "eval_accuracy": result.eval_accuracy,
                    "eval_macro_f1": result.eval_macro_f1,
                })  # fmt: skip
                result.checkpoint = str(folder)
                result.checkpoint_mb = folder_mb(folder)
        result.peak_mem_mb = memory.peak_mb
        result.status = "done"
    except InterruptedError:
        result.status = "stopped"
    except (RuntimeError, ValueError, OSError) as err:
        result.status, result.error = (
            "failed",
            Text("{kind}: {err}", "{kind}: {err}", kind=type(err).__name__, err=error_text(err)),
        )
    result.wall_s = time.perf_counter() - started
    result.history = monitor.snapshot()["methods"].get(method, {}).get("history", [])
    gap = Text("", "")
    if result.history and result.eval_accuracy is not None:
        losses = {k: v for p in result.history for k, v in p.items() if k.endswith("_loss")}
        gap = Text(
            " Training loss {train:.3f}, evaluation loss {eval:.3f}.",
            " 학습 손실 {train:.3f}, 평가 손실 {eval:.3f}.",
            train=losses.get("train_loss", float("nan")),
            eval=losses.get("eval_loss", float("nan")),
        )  # fmt: skip
    result.fit = {"verdict": "single fit", "note": join([fitter.note, gap])}
    monitor.method(method, status=result.status)
    return result
