"""The transformers ``TrainingArguments`` of one method of a prepared run: its batch size, rate,
schedule and seed, evaluation points for the curves, and the precision the device affords."""

from __future__ import annotations

import math
from typing import Any

from models.finetune.prepared import PreparedRun


def training_args(run: PreparedRun, learning_rate: float, output_dir: str) -> Any:
    from transformers import TrainingArguments

    config = run.config
    steps_per_epoch = math.ceil(len(run.train) / config.batch_size)
    total_steps = math.ceil(steps_per_epoch * config.epochs)
    eval_every = max(1, round(steps_per_epoch / config.curve_points)) if config.curve_points else 0
    cuda = run.device == "cuda"
    bf16 = False
    if cuda:
        import torch

        bf16 = torch.cuda.is_bf16_supported()
    return TrainingArguments(
        output_dir=output_dir,
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=max(config.batch_size * 4, 32),
        num_train_epochs=config.epochs,
        learning_rate=learning_rate,
        lr_scheduler_type=config.scheduler,
        warmup_steps=config.warmup_ratio,  # below 1: a share of the steps
        weight_decay=config.weight_decay,
        seed=config.seed,
        data_seed=config.seed,
        eval_strategy="steps" if eval_every else "no",
        eval_steps=eval_every or None,
        logging_steps=max(1, min(eval_every or total_steps, max(total_steps // 40, 1))),
        save_strategy="no",
        report_to="none",
        disable_tqdm=True,
        train_sampling_strategy="group_by_length",
        use_cpu=not cuda,
        bf16=cuda and bf16,
        fp16=cuda and not bf16,
        dataloader_pin_memory=cuda,
        remove_unused_columns=False,
        label_names=["labels"],
    )
