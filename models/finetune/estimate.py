"""Before training: time and memory per method, from parameter counts plus a short calibration.

Calibration times a few real optimisation steps (learning rate 0, so no weight moves) on a short
and a long batch of the run's own rows. That gives a per-step cost ``a`` (optimiser, clipping,
launch overhead: it grows with the trainable parameters) and a per-token cost ``b`` (forward and
backward), and a forward-only per-token cost for evaluation. The same numbers let a time budget
choose rows, epochs and max length.
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import asdict, dataclass
from typing import Any

from models.finetune.cached_bottom import CACHE_LIMIT_BYTES

# Padding left in length-grouped batches, as a share of real tokens (measured on SNIPS / NSMC).
PADDING_OVERHEAD = 1.05
# Serialising and writing a checkpoint on this kind of machine; merging LoRA into e5 and writing
# the 470 MB result measured ~45 MB/s, a plain save of MiniLM ~150 MB/s: plan for the slower.
SAVE_BYTES_PER_S = 50e6
CURVE_ROWS = 128  # evaluation rows for the loss curves during training: cheap, still smooth


@dataclass
class Calibration:
    """Measured costs of one method on this machine."""

    step_s: float  # fixed cost per optimisation step
    token_s: float  # training cost per (padded) token
    eval_token_s: float  # forward-only cost per token
    build_s: float  # loading the base and applying the method
    trainable_params: int
    total_params: int
    save_bytes: int = 0  # what the checkpoint writes
    row_s: float = 0.0  # per training row, beyond tokens (a probe's logistic-regression fit)
    curves: bool = True  # evaluates during training for the loss curves
    first_pass_token_s: float = 0.0  # once per row: a cached frozen bottom (method "top")


@dataclass
class Estimate:
    """What a method should cost, shown before training and beside the measurement after."""

    method: str
    seconds: float
    memory_mb: float
    trainable_params: int
    total_params: int

    def as_dict(self) -> dict:
        return asdict(self)


def _sync(device: str) -> None:
    if device == "cuda":
        import torch

        torch.cuda.synchronize()


def calibrate(
    model: Any, rows: Any, collator: Any, batch_size: int, device: str, build_s: float
) -> Calibration:
    """Time real steps of ``model`` on a short and a long batch of ``rows`` (lr 0: no update)."""
    import torch

    trainable = [p for p in model.parameters() if p.requires_grad]
    total = sum(p.numel() for p in model.parameters())
    n_trainable = sum(p.numel() for p in trainable)
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]["input_ids"]))
    size = min(batch_size, len(order))

    def batch_at(quantile: float) -> dict:
        # Typical batches (not the extremes): tiny batches overstate the per-step share.
        start = min(int(quantile * len(order)), len(order) - size)
        return collator([rows[i] for i in order[start : start + size]])

    short, long = batch_at(0.2), batch_at(0.9)
    short = {k: v.to(device) for k, v in short.items()}
    long = {k: v.to(device) for k, v in long.items()}
    optimizer = (
        torch.optim.AdamW(trainable, lr=0.0, weight_decay=0.0, fused=True) if trainable else None
    )

    def step(batch: dict) -> float:
        _sync(device)
        started = time.perf_counter()
        loss = model(**batch).loss
        if optimizer is not None:
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
        _sync(device)
        return time.perf_counter() - started

    model.train()
    step(short)  # warm-up: first calls allocate and pick kernels
    # Medians, not minima: the best case of a shared machine underestimates a long run.
    t_short = statistics.median(step(short) for _ in range(3))
    t_long = statistics.median(step(long) for _ in range(3))
    tokens_short = int(short["attention_mask"].numel())
    tokens_long = int(long["attention_mask"].numel())
    if tokens_long > tokens_short:
        token_s = max((t_long - t_short) / (tokens_long - tokens_short), 0.0)
    else:
        token_s = t_long / max(tokens_long, 1)
    step_s = max(t_short - token_s * tokens_short, 0.0)

    model.eval()
    with torch.no_grad():
        _sync(device)
        started = time.perf_counter()
        model(**long)
        _sync(device)
        eval_token_s = (time.perf_counter() - started) / max(tokens_long, 1)
    if optimizer is not None:
        del optimizer
    # Steps above hit the cache after their first call; a row's first sight costs this on top.
    cache = getattr(model, "bottom_cache", None)
    first_pass = cache.seconds_per_token(model, long) if cache is not None else 0.0
    return Calibration(
        step_s, token_s, eval_token_s, build_s, n_trainable, total, first_pass_token_s=first_pass
    )


@dataclass
class Workload:
    """The amount of work a run asks for, in rows and tokens."""

    train_rows: int
    train_tokens: int  # real tokens in one epoch, after truncation
    eval_rows: int
    eval_tokens: int
    epochs: float
    batch_size: int
    curve_points: int

    @property
    def curve_tokens(self) -> float:
        share = min(CURVE_ROWS, self.eval_rows) / max(self.eval_rows, 1)
        return self.eval_tokens * share


def estimate_seconds(c: Calibration, w: Workload) -> float:
    """Training + evaluation + loading, for one method."""
    steps = math.ceil(math.ceil(w.train_rows / w.batch_size) * w.epochs)
    train = steps * c.step_s + w.train_tokens * w.epochs * PADDING_OVERHEAD * c.token_s
    train += w.train_rows * c.row_s
    first_pass = (w.train_tokens + w.eval_tokens) * PADDING_OVERHEAD * c.first_pass_token_s
    curve_evals = max(math.ceil(w.curve_points * w.epochs), 1) if c.curves else 0
    evaluation = (curve_evals * w.curve_tokens + w.eval_tokens) * PADDING_OVERHEAD * c.eval_token_s
    return c.build_s + train + first_pass + evaluation + c.save_bytes / SAVE_BYTES_PER_S


def finish_seconds(c: Calibration, w: Workload) -> float:
    """What a method still needs once training ends: the final evaluation and the save."""
    eval_token_s = c.eval_token_s + c.first_pass_token_s  # evaluation rows are new to a cache
    return w.eval_tokens * PADDING_OVERHEAD * eval_token_s + c.save_bytes / SAVE_BYTES_PER_S


def estimate_memory_mb(
    c: Calibration,
    model_config: Any,
    batch_size: int,
    seq_len: int,
    encoder_trained: bool,
    baseline_mb: float,
    graph_layers: int | None = None,
    cached_tokens: int = 0,
) -> float:
    """Peak memory from parameter counts: weights, gradients, AdamW state, and activations.

    Activations follow the usual transformer count (about 34 values per hidden unit per token
    per layer, plus three copies of the attention maps), and are kept only when something below
    the head is trained (else the encoder runs without a graph): in every layer, or in the top
    ``graph_layers``. ``cached_tokens`` are kept as one hidden vector each (method "top").
    """
    hidden = getattr(model_config, "hidden_size", 768)
    weights = c.total_params * 4
    training_state = c.trainable_params * (4 + 8)  # gradient + two AdamW moments, fp32
    activations = 0.0
    if encoder_trained:
        layers = graph_layers or getattr(model_config, "num_hidden_layers", 12)
        heads = getattr(model_config, "num_attention_heads", 12)
        tokens = batch_size * seq_len
        per_layer = tokens * hidden * 34 * 4 + heads * batch_size * seq_len * seq_len * 3 * 4
        activations = layers * per_layer
    cache = min(cached_tokens * hidden * 4, CACHE_LIMIT_BYTES)
    return baseline_mb + (weights + training_state + activations + cache) / 2**20
