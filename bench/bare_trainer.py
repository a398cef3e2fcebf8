"""Baseline for the fine-tuning benchmark: the plain transformers Trainer script everyone writes.

Reads the exact rows our engine trains on (written by the benchmark as JSONL), fine-tunes with
Trainer defaults (random batches, dynamic padding), evaluates, saves, and prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time

STARTED = time.perf_counter()

import torch  # noqa: E402
from sklearn.metrics import accuracy_score  # noqa: E402
from transformers import (  # noqa: E402
    AutoModelForSequenceClassification,
    AutoTokenizer,
    Trainer,
    TrainingArguments,
)


def read_rows(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--train", required=True)
    parser.add_argument("--eval", required=True)
    parser.add_argument("--method", choices=["full", "lora"], default="full")
    parser.add_argument("--lr", type=float, required=True)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    train_rows, eval_rows = read_rows(args.train), read_rows(args.eval)
    labels = sorted({r["label"] for r in train_rows})
    index = {label: i for i, label in enumerate(labels)}
    tokenizer = AutoTokenizer.from_pretrained(args.model)

    def encode(rows: list[dict]) -> list[dict]:
        encoded = tokenizer([r["text"] for r in rows], truncation=True, max_length=args.max_length)
        return [
            {"input_ids": ids, "attention_mask": mask, "labels": index[r["label"]]}
            for ids, mask, r in zip(
                encoded["input_ids"], encoded["attention_mask"], rows, strict=True
            )
        ]

    train, evaluation = encode(train_rows), encode(eval_rows)
    torch.manual_seed(args.seed)
    model = AutoModelForSequenceClassification.from_pretrained(args.model, num_labels=len(labels))
    if args.method == "lora":
        from peft import LoraConfig, TaskType, get_peft_model

        model = get_peft_model(
            model,
            LoraConfig(
                task_type=TaskType.SEQ_CLS, r=8, lora_alpha=16, lora_dropout=0.05,
                modules_to_save=["classifier", "bert.pooler"],
            ),
        )  # fmt: skip
    with tempfile.TemporaryDirectory() as out:
        trainer = Trainer(
            model=model,
            args=TrainingArguments(
                output_dir=out,
                per_device_train_batch_size=args.batch_size,
                per_device_eval_batch_size=64,
                num_train_epochs=args.epochs,
                learning_rate=args.lr,
                warmup_steps=0.06,
                weight_decay=0.01,
                seed=args.seed,
                report_to="none",
                save_strategy="no",
                logging_steps=50,
                disable_tqdm=True,
                use_cpu=True,
            ),
            train_dataset=train,
            processing_class=tokenizer,
        )
        trained = time.perf_counter()
        trainer.train()
        train_s = time.perf_counter() - trained
        predictions = trainer.predict(evaluation)
        accuracy = accuracy_score(predictions.label_ids, predictions.predictions.argmax(-1))
        trainer.save_model(out)
    print(
        json.dumps(
            {"accuracy": accuracy, "train_s": train_s, "wall_s": time.perf_counter() - STARTED}
        )
    )


if __name__ == "__main__":
    main()
