"""Fine-tune the sentence encoder for one bank: full or LoRA, side by side, in a time budget.

Contrastive training (sentence-transformers' ``MultipleNegativesRankingLoss``) on the bank's own
pairs (``pairs.py``): a question and its sibling or answer should be nearer than the other pairs
of the batch, and, with hard negatives, nearer than the other-answer question the base model
ranks first. Each method trains a fresh copy of the base for the same wall-clock budget, then the
bank is indexed with it and scored on the held-out questions, which were never trained on, beside
the base model and the lexical ranker. The record keeps trainable parameters, time, peak memory,
checkpoint size and hit@1 / hit@5 / MRR per held-out half.

    python -m models.rank.tune --bank chatbot_data --methods full,lora --minutes 3 --json OUT
"""

from __future__ import annotations

import argparse
import copy
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from models.core import files
from models.core.device import torch_device
from models.core.errors import ConfigError, PlaygroundError
from models.core.i18n import Text
from models.core.measure import PeakMemory, library_versions, release_memory
from models.core.monitor import Monitor
from models.rank.banks import BANKS, DEFAULT_BANK, QABank, load_bank
from models.rank.compare import summary_lines
from models.rank.encoders import (
    METHODS,
    MethodOutcome,
    TuneRecord,
    encoders_dir,
    new_run_id,
    save_record,
)
from models.rank.evaluate import PARTS, held_out, score_rankings
from models.rank.index import build_dense
from models.rank.pairs import Pair, batches, hard_negatives, training_pairs, with_hard_negatives
from models.rank.rankers import AUTO, LEXICAL, embedder_ref, get_index
from models.sources import embeddings
from models.sources.loading import LoadedEmbedder, load_embedder
from models.sources.resolver import resolve

# Chosen on the validation half of Chatbot_data's held-out questions (docs/BENCHMARKS.md).
LEARNING_RATES = {"full": 2e-5, "lora": 2e-4}
LEARNING_RATE_BOUNDS = (1e-7, 1e-1)
WARMUP = 0.1  # of the budget: the learning rate rises, then falls linearly to 0 at the end
MAX_EPOCHS = 3  # a budget on a GPU can outlast the pairs: stop after this many passes
LORA_TARGETS = ("query", "key", "value", "dense")


@dataclass
class TuneSettings:
    """What a tuning run does; the tab's form and the command's flags."""

    bank: str = DEFAULT_BANK
    base: str = AUTO
    methods: tuple[str, ...] = ("full", "lora")
    minutes: float = 3.0  # each method's training time
    batch_size: int = 32
    hard_negatives: bool = False  # on Chatbot_data they are paraphrases with another answer
    answer_pairs: bool = True
    lora_rank: int = 16
    max_length: int = 64
    seed: int = 0
    lr_full: float = LEARNING_RATES["full"]
    lr_lora: float = LEARNING_RATES["lora"]

    def learning_rate(self, method: str) -> float:
        return {"full": self.lr_full, "lora": self.lr_lora}[method]

    def check(self) -> None:
        unknown = [m for m in self.methods if m not in METHODS]
        if unknown or not self.methods:
            raise ConfigError(Text(
                "Choose methods among: {known} (got {unknown}).",
                "다음 방법 중에서 고르세요: {known} (받은 값: {unknown}).",
                known=", ".join(METHODS), unknown=unknown,
            ))  # fmt: skip
        low_lr, high_lr = LEARNING_RATE_BOUNDS
        bounds = {
            "minutes": (self.minutes, 0.05, 120, Text("minutes", "학습 시간(분)")),
            "batch_size": (self.batch_size, 2, 512, Text("batch size", "배치 크기")),
            "lora_rank": (self.lora_rank, 1, 256, Text("LoRA rank", "LoRA 랭크")),
            "max_length": (self.max_length, 8, 512, Text("max length", "최대 길이")),
            "lr_full": (self.lr_full, low_lr, high_lr,
                        Text("full fine-tuning learning rate", "전체 미세 조정 학습률")),
            "lr_lora": (self.lr_lora, low_lr, high_lr, Text("LoRA learning rate", "LoRA 학습률")),
        }  # fmt: skip
        for value, low, high, name in bounds.values():
            if not isinstance(value, int | float) or not low <= value <= high:
                raise ConfigError(Text(
                    "{name} must be between {low} and {high}.",
                    "{name}은(는) {low}에서 {high} 사이여야 합니다.",
                    name=name, low=low, high=high,
                ))  # fmt: skip


def _fresh_model(base: LoadedEmbedder, max_length: int) -> Any:
    """A trainable copy of the base encoder (the shared, cached one stays untouched)."""
    model = copy.deepcopy(base.model)
    model.max_seq_length = max_length
    return model


def _prepare(model: Any, method: str, settings: TuneSettings) -> tuple[int, int]:
    """Make ``method``'s parameters trainable: (trainable, total) counts."""
    if method == "lora":
        from peft import LoraConfig, get_peft_model

        config = LoraConfig(
            r=settings.lora_rank, lora_alpha=2 * settings.lora_rank, lora_dropout=0.0,
            target_modules=list(LORA_TARGETS),
        )  # fmt: skip
        try:
            model[0].model = get_peft_model(model[0].model, config)
        except ValueError as err:
            raise ConfigError(
                Text(
                    "LoRA cannot adapt this encoder: {err}",
                    "LoRA를 이 인코더에 붙일 수 없습니다: {err}",
                    err=str(err),
                )
            ) from err
    params = list(model.parameters())
    trainable = sum(p.numel() for p in params if p.requires_grad)
    return trainable, sum(p.numel() for p in params)


def _learning_rate(base: float, fraction: float) -> float:
    """Linear warm-up over the first ``WARMUP`` of the run, then linear decay to 0 at its end."""
    fraction = min(max(fraction, 0.0), 1.0)
    return base * min(1.0, (fraction + 1e-3) / WARMUP) * (1.0 - fraction)


def _features(model: Any, batch: list[Pair]) -> list[dict]:
    from sentence_transformers.util import batch_to_device

    columns = [[p.anchor for p in batch], [p.positive for p in batch]]
    if all(p.negative for p in batch):
        columns.append([p.negative or "" for p in batch])
    return [batch_to_device(model.preprocess(c), model.device) for c in columns]


def train(
    model: Any, pairs: list[Pair], method: str, settings: TuneSettings, monitor: Monitor
) -> MethodOutcome:
    """Train ``model`` in place until the budget is spent, the pairs run out or Stop."""
    import torch
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    outcome = MethodOutcome(method, METHODS[method], learning_rate=settings.learning_rate(method))
    outcome.trainable_params, outcome.total_params = _prepare(model, method, settings)
    loss_fn = MultipleNegativesRankingLoss(model)
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=outcome.learning_rate
    )
    budget = settings.minutes * 60
    model.train()
    monitor.method(method, status="training")
    # The run ends at the budget or after MAX_EPOCHS, whichever comes first: the schedule
    # follows whichever is nearer.
    all_steps = max(MAX_EPOCHS * len(batches(pairs, settings.batch_size, settings.seed)), 1)
    start = time.perf_counter()
    for epoch in range(MAX_EPOCHS):
        for batch in batches(pairs, settings.batch_size, settings.seed + epoch):
            elapsed = time.perf_counter() - start
            if elapsed >= budget or monitor.stop_requested:
                break
            fraction = max(elapsed / budget, outcome.steps / all_steps)
            for group in optimizer.param_groups:
                group["lr"] = _learning_rate(outcome.learning_rate, fraction)
            loss = loss_fn(_features(model, batch), None)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            outcome.steps += 1
            outcome.pairs_seen += len(batch)
            outcome.last_loss = float(loss.detach())
            elapsed = time.perf_counter() - start
            in_budget = round(outcome.steps * budget / max(elapsed, 1e-6))
            expected = max(outcome.steps, min(in_budget, all_steps))
            monitor.method(method, step=outcome.steps, total_steps=expected)
            monitor.log(method, {"step": outcome.steps, "loss": outcome.last_loss, "s": elapsed})
        else:
            continue
        break
    outcome.train_s = time.perf_counter() - start
    outcome.status = "stopped" if monitor.stop_requested else "done"
    model.eval()
    return outcome


def _save(model: Any, method: str, folder: Path, record: TuneRecord, prompts: dict) -> Any:
    """Write the encoder (LoRA: the adapter alone) and return the model to index with."""
    meta = {"task": "embedding", "base_ref": record.base_ref, "bank": record.bank,
            "method": method, "prompts": prompts}  # fmt: skip
    with files.staged_folder(folder) as staged:
        if method == "lora":
            model[0].model.save_pretrained(str(staged))
            model[0].model = model[0].model.merge_and_unload()  # indexed at full speed
        else:
            model.prompts = prompts
            model.save(str(staged))
        files.write_json(staged / "playground.json", meta)
    return model


def _folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def _scores(index: Any, bank: QABank) -> dict[str, dict]:
    """hit@1, hit@5 and MRR on each held-out part that has questions."""
    splits = {part: held_out(bank, part) for part in PARTS}
    return {
        part: score_rankings(index, bank, split).summary()
        for part, split in splits.items()
        if split.n_queries
    }


def _run_method(
    base: LoadedEmbedder, bank: QABank, pairs: list[Pair], method: str, settings: TuneSettings,
    monitor: Monitor, record: TuneRecord,
) -> MethodOutcome:  # fmt: skip
    """Train one method on a fresh copy of the base, save it, index the bank with it, score it."""
    target = encoders_dir() / record.run_id / method
    try:
        with PeakMemory(torch_device()) as peak:
            model = _fresh_model(base, settings.max_length)
            outcome = train(model, pairs, method, settings, monitor)
        outcome.peak_memory_mb = peak.peak_mb
        monitor.method(method, status="saving")
        prompts = dict(zip(("query", "passage"), embeddings.prompts_for(base), strict=True))
        model = _save(model, method, target, record, prompts)
    except ConfigError as err:
        return MethodOutcome(method, METHODS[method], status="failed", error=str(err))
    outcome.checkpoint, outcome.checkpoint_mb = str(target), _folder_mb(target)
    monitor.phase(Text("Indexing the bank with the {m} encoder", "{m} 인코더로 모음을 색인하는 중",
                       m=METHODS[method]))  # fmt: skip
    monitor.method(method, status="indexing")
    started = time.perf_counter()
    tuned = LoadedEmbedder(model, resolve(str(target), want="embedding"))
    index = build_dense(tuned, bank.questions, bank.fingerprint, bank.name)
    outcome.index_s = time.perf_counter() - started
    outcome.metrics = _scores(index, bank)
    return outcome


def run_tune(
    bank: QABank, settings: TuneSettings, monitor: Monitor,
    save: Callable[[TuneRecord], Any] = save_record,
) -> TuneRecord:  # fmt: skip
    """Train, save, index and score every method of ``settings``; the record as it ends."""
    settings.check()
    base = load_embedder(embedder_ref(settings.base))
    record = TuneRecord(
        new_run_id(bank.name, base.resolved.ref), bank.name, bank.fingerprint, base.resolved.ref,
        settings=asdict(settings), versions=library_versions(),
    )  # fmt: skip
    record.methods = [MethodOutcome(m, METHODS[m]) for m in settings.methods]
    folder = encoders_dir() / record.run_id
    files.write_json(folder / "settings.json", record.settings)  # an unwritable folder fails now
    monitor.phase(Text("Indexing the bank with the base model {ref}",
                       "기준 모델 {ref}로 모음을 색인하는 중", ref=base.resolved.ref))  # fmt: skip
    base_index = get_index(bank, base.resolved.ref)
    record.base_metrics = _scores(base_index, bank)
    record.lexical_metrics = _scores(get_index(bank, LEXICAL), bank)
    split = held_out(bank, "all")
    query_prompt, passage_prompt = embeddings.prompts_for(base)
    pairs = training_pairs(
        bank, split.index_rows, query_prompt, passage_prompt, settings.answer_pairs
    )
    if settings.hard_negatives:
        negatives = hard_negatives(base_index, bank, split.index_rows)
        pairs = with_hard_negatives(pairs, negatives, query_prompt)
    if not pairs:
        raise ConfigError(Text("This bank has no question to train on outside the held-out ones.",
                               "따로 떼어 둔 질문 말고는 학습할 질문이 없습니다."))  # fmt: skip
    record.n_pairs, record.held_out_queries = len(pairs), split.n_queries
    save(record)
    for i, method in enumerate(settings.methods):
        if monitor.stop_requested:
            record.methods[i].status = "stopped"
            continue
        monitor.phase(Text("Training {m} for {n:g} min", "{m} 학습 중({n:g}분)",
                           m=METHODS[method], n=settings.minutes))  # fmt: skip
        release_memory()
        record.methods[i] = _run_method(base, bank, pairs, method, settings, monitor, record)
        monitor.method(method, status=record.methods[i].status)
        save(record)
    monitor.phase(Text("Done", "완료") if not monitor.stop_requested else Text("Stopped", "멈춤"))
    return record


def _print_progress(monitor: Monitor, stop: threading.Event) -> None:
    """Log lines for the command: the phase when it changes, each method's step every 10 s."""
    seen = ""
    while not stop.wait(10):
        state = monitor.snapshot()
        if state["phase"] != seen:
            seen = state["phase"]
            print(seen, flush=True)
        for name, entry in state["methods"].items():
            if entry["status"] == "training" and entry["history"]:
                point = entry["history"][-1]
                print(f"  {name}: step {point['step']}, loss {point['loss']:.3f}, "
                      f"{point['s']:.0f} s", flush=True)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m models.rank.tune", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    defaults = TuneSettings()
    parser.add_argument("--bank", default=defaults.bank, choices=list(BANKS))
    parser.add_argument("--base", default=defaults.base, help="the encoder to start from")
    parser.add_argument("--methods", default=",".join(defaults.methods))
    parser.add_argument("--minutes", type=float, default=defaults.minutes,
                        help="training time of each method")  # fmt: skip
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    parser.add_argument(
        "--hard-negatives",
        action="store_true",
        help="add the base model's best other-answer question to each pair",
    )
    parser.add_argument(
        "--no-answer-pairs",
        action="store_true",
        help="train on question -> sibling question pairs only",
    )
    parser.add_argument("--lora-rank", type=int, default=defaults.lora_rank)
    parser.add_argument("--lr-full", type=float, default=defaults.lr_full,
                        help="learning rate of full fine-tuning")  # fmt: skip
    parser.add_argument("--lr-lora", type=float, default=defaults.lr_lora,
                        help="learning rate of LoRA")  # fmt: skip
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--json", type=Path, help="write the run's record here too")
    args = parser.parse_args(argv)
    settings = TuneSettings(
        args.bank, args.base, tuple(m.strip() for m in args.methods.split(",") if m.strip()),
        args.minutes, args.batch_size, args.hard_negatives, not args.no_answer_pairs,
        args.lora_rank, seed=args.seed, lr_full=args.lr_full, lr_lora=args.lr_lora,
    )  # fmt: skip
    monitor, done = Monitor(list(settings.methods)), threading.Event()
    printer = threading.Thread(target=_print_progress, args=(monitor, done), daemon=True)
    printer.start()
    try:
        record = run_tune(load_bank(settings.bank), settings, monitor)
    except PlaygroundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        monitor.request_stop()
        return 130
    finally:
        done.set()
    print("\n".join(summary_lines(record)))
    if args.json:
        files.write_json(args.json, record.as_dict())
    failed = any(m.status == "failed" for m in record.methods)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
