"""The fine-tuning configuration: one dataclass shared by the tab and the command line."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from models.core.errors import ConfigError
from models.core.settings import Settings, get_settings
from models.core.tasks import TRAINABLE_TASKS
from models.finetune.methods import METHODS, LoraSettings

SCHEDULERS = ("linear", "cosine", "constant_with_warmup")


@dataclass
class FinetuneConfig:
    """Everything that defines a run. The same config and seed give the same metrics on CPU."""

    task: str = field(default="intent", metadata={"help": "sentiment, nli, intent or custom"})
    dataset: str = field(default="snips", metadata={"help": "registry name, or 'upload'"})
    base: str = field(
        default="packaged:all-MiniLM-L6-v2",
        metadata={"help": "encoder: packaged:<name>, a local folder or a Hub id"},
    )
    methods: tuple[str, ...] = field(
        default=("full", "lora", "head"), metadata={"help": "methods to compare, in order"}
    )
    train_size: int = field(default=2000, metadata={"help": "training rows (stratified sample)"})
    eval_size: int = field(default=500, metadata={"help": "evaluation rows (validation part)"})
    epochs: float = field(default=1.0, metadata={"help": "passes over the training rows"})
    batch_size: int = field(default=8, metadata={"help": "rows per optimisation step"})
    learning_rates: dict[str, float] = field(
        default_factory=dict,
        metadata={"help": "per-method learning rate; a method missing here uses its default"},
    )
    warmup_ratio: float = field(default=0.06, metadata={"help": "share of steps warming up"})
    scheduler: str = field(default="linear", metadata={"help": "learning-rate schedule"})
    weight_decay: float = field(default=0.01, metadata={"help": "AdamW weight decay"})
    max_length: int = field(default=128, metadata={"help": "tokens per row; longer is cut"})
    seed: int = field(default=42, metadata={"help": "one seed for sampling, init and dropout"})
    lora: LoraSettings = field(default_factory=LoraSettings)
    trained_layers: int = field(
        default=4,
        metadata={
            "help": "method 'top': encoder layers trained, counted from the top; the frozen ones "
            "below run once per row"
        },
    )
    probe_c: float = field(
        default=10.0,
        metadata={"help": "inverse regularisation C of the embeddings + logistic-regression probe"},
    )
    merge_lora: bool = field(
        default=False, metadata={"help": "also save LoRA merged into a plain transformers model"}
    )
    fitted_all_rows: bool = field(
        default=False,
        metadata={
            "help": "fitted methods (probe, n-grams) take every training row: they cost seconds, "
            "so only the step-trained methods are sized by train-size or the budget"
        },
    )
    ensemble: bool = field(
        default=False,
        metadata={"help": "also save (and evaluate) the weighted average of the finished methods"},
    )
    budget_minutes: float | None = field(
        default=None, metadata={"help": "size rows, epochs and max length to finish in ~N minutes"}
    )
    curve_points: int = field(
        default=4, metadata={"help": "evaluation-loss points per epoch for the curves"}
    )
    upload_path: str | None = field(default=None, metadata={"help": "CSV/TSV/JSONL to train on"})
    upload_columns: dict[str, str] = field(
        default_factory=dict, metadata={"help": "text / text_pair / label column names"}
    )
    save_checkpoints: bool = field(default=True, metadata={"help": "False: sweep cells only"})

    def learning_rate(self, method: str, default: float) -> float:
        return self.learning_rates.get(method, default)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["methods"] = list(self.methods)
        data["lora"]["target_modules"] = list(self.lora.target_modules)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> FinetuneConfig:
        """A config from JSON-like data (the API's): every field's type is checked here, so a
        list where a number belongs is refused in one sentence, not deep inside training."""
        if not isinstance(data, dict):
            raise ConfigError("The settings must be a JSON object of FinetuneConfig fields.")
        values = _typed_fields(data, cls, "settings", "")
        values["methods"] = tuple(values.get("methods", cls().methods))
        lora = values.get("lora") or {}
        if not isinstance(lora, dict):
            raise ConfigError('lora must be an object such as {"rank": 8, "alpha": 16}.')
        lora = _typed_fields(lora, LoraSettings, "LoRA settings", "lora.")
        lora["target_modules"] = tuple(lora.get("target_modules", ()))
        values["lora"] = LoraSettings(**lora)
        return cls(**values)

    def check(self, settings: Settings | None = None) -> None:
        """Reject impossible settings, and sizes beyond this server's limits, with a message a
        user can act on (limits: ``PLAYGROUND_MAX_*`` settings)."""
        limits = settings or get_settings()
        self._check_limits(limits)
        if self.task not in TRAINABLE_TASKS:
            raise ConfigError(
                f"Unknown task '{self.task}'. Choose one of: {', '.join(TRAINABLE_TASKS)}."
            )
        if not self.methods:
            raise ConfigError("Choose at least one method to train.")
        for method in self.methods:
            if method not in METHODS:
                raise ConfigError(f"Unknown method '{method}'. Choose from: {', '.join(METHODS)}.")
        if len(set(self.methods)) != len(self.methods):
            raise ConfigError("Each method can be chosen once per run.")
        if not 0 < self.epochs <= limits.max_epochs:
            raise ConfigError(
                f"Epochs must be more than 0 and at most {limits.max_epochs:g} on this server "
                f"(got {self.epochs:g})."
            )
        if not 1 <= self.batch_size <= 512:
            raise ConfigError(f"Batch size must be between 1 and 512 (got {self.batch_size}).")
        if self.train_size < 2:
            raise ConfigError(f"Train on at least 2 rows (got {self.train_size}).")
        if self.eval_size < 1:
            raise ConfigError(f"Evaluate on at least 1 row (got {self.eval_size}).")
        if not 8 <= self.max_length <= 512:
            raise ConfigError(
                f"Max length must be between 8 and 512 tokens (got {self.max_length})."
            )
        for method, rate in self.learning_rates.items():
            if method in METHODS and not METHODS[method].trainer:  # fitted: no learning rate
                continue
            if not rate > 0:
                raise ConfigError(f"The learning rate must be above 0 (got {rate} for {method}).")
            if rate >= 1:
                raise ConfigError(f"A learning rate of {rate} for {method} would diverge; use < 1.")
        if "probe" in self.methods and not self.probe_c > 0:
            raise ConfigError(f"The probe's C must be above 0 (got {self.probe_c}).")
        if not 0 <= self.warmup_ratio < 1:
            raise ConfigError(
                f"Warm-up is a share of the steps, 0 to <1 (got {self.warmup_ratio})."
            )
        if self.scheduler not in SCHEDULERS:
            raise ConfigError(
                f"Unknown scheduler '{self.scheduler}'. Choose one of: {', '.join(SCHEDULERS)}."
            )
        if any(METHODS[m].uses_lora for m in self.methods):
            if self.lora.rank < 1:
                raise ConfigError(f"LoRA rank must be at least 1 (got {self.lora.rank}).")
            if self.lora.alpha <= 0:
                raise ConfigError(f"LoRA alpha must be above 0 (got {self.lora.alpha}).")
            if not 0 <= self.lora.dropout < 1:
                raise ConfigError(f"LoRA dropout must be in [0, 1) (got {self.lora.dropout}).")
            if self.lora.top_layers < 0:
                raise ConfigError(
                    f"LoRA top layers must be 0 (all) or more (got {self.lora.top_layers})."
                )
        if "top" in self.methods and self.trained_layers < 1:
            raise ConfigError(f"Train at least 1 top layer (got {self.trained_layers}).")
        if self.budget_minutes is not None and not 0.2 <= self.budget_minutes <= 24 * 60:
            raise ConfigError(
                f"A time budget must be between 0.2 and 1440 minutes (got {self.budget_minutes:g})."
            )
        if self.dataset == "upload":
            if not self.upload_path or not Path(self.upload_path).is_file():
                raise ConfigError("Upload a labelled CSV, TSV or JSONL file first.")
            if not self.upload_columns.get("text") or not self.upload_columns.get("label"):
                raise ConfigError("Choose the text column and the label column of the upload.")

    def _check_limits(self, limits: Settings) -> None:
        """The sizes that cost memory or time, bounded by this server's settings."""
        bounds = (
            ("Training rows", self.train_size, limits.max_train_rows, "PLAYGROUND_MAX_TRAIN_ROWS"),
            ("Evaluation rows", self.eval_size, limits.max_eval_rows, "PLAYGROUND_MAX_EVAL_ROWS"),
            ("LoRA rank", self.lora.rank, limits.max_lora_rank, "PLAYGROUND_MAX_LORA_RANK"),
        )
        for what, value, most, env in bounds:
            if value > most:
                raise ConfigError(
                    f"{what} is {value:,}; this server allows at most {most:,} ({env})."
                )
        budget = self.budget_minutes
        if budget is not None and budget > limits.max_run_minutes:
            raise ConfigError(
                f"A time budget of {budget:g} minutes is more than this server lets a run take "
                f"({limits.max_run_minutes:g}, PLAYGROUND_MAX_RUN_MINUTES)."
            )
        if len(self.learning_rates) > len(METHODS):
            raise ConfigError("Give at most one learning rate per method.")
        if len(self.upload_columns) > 3:
            raise ConfigError("Upload columns are text, text_pair and label only.")


_SCALARS: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "bool": (bool,),
}


def _typed_fields(data: dict, cls: type, what: str, prefix: str) -> dict[str, Any]:
    """``data``'s values checked against ``cls``'s field types; an unknown key is refused."""
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(str(k)[:40] for k in data if k not in known)
    if unknown:
        raise ConfigError(f"Unknown {what}: {', '.join(unknown)}.")
    return {k: _typed(prefix + k, v, known[k].type) for k, v in data.items()}


def _typed(name: str, value: Any, annotation: Any) -> Any:
    """``value`` if it has the field's type (JSON numbers, strings, lists), else a ConfigError."""
    kind = str(annotation).replace(" ", "")
    optional = kind.endswith("|None")
    kind = kind.removesuffix("|None")
    if value is None and optional:
        return None
    if kind in _SCALARS:
        ok = isinstance(value, _SCALARS[kind]) and (kind == "bool" or not isinstance(value, bool))
        if ok and kind == "float" and not math.isfinite(value):
            raise ConfigError(f"{name} must be a finite number (got {value}).")
        if not ok:
            raise ConfigError(f"{name} must be {_NAMES[kind]} (got {_shown(value)}).")
        return float(value) if kind == "float" else value
    if kind.startswith("tuple[str"):
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{name} must be a list of names (got {_shown(value)}).")
        return tuple(value)
    if kind.startswith("dict[str,float]"):
        if not isinstance(value, dict) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            for v in value.values()
        ):
            raise ConfigError(f"{name} must map names to numbers (got {_shown(value)}).")
        return {str(k): float(v) for k, v in value.items()}
    if kind.startswith("dict[str,str]"):
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise ConfigError(f"{name} must map names to column names (got {_shown(value)}).")
        return dict(value)
    return value  # nested dataclasses (lora) are checked by the caller


_NAMES = {"int": "a whole number", "float": "a number", "str": "text", "bool": "true or false"}


def _shown(value: Any) -> str:
    """A value as the message quotes it: its JSON type, and a short preview."""
    text = repr(value)
    return f"{type(value).__name__} {text[:40]}{'…' if len(text) > 40 else ''}"
