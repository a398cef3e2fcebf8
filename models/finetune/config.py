"""The fine-tuning configuration: one dataclass shared by the tab and the command line."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from models.core.errors import ConfigError
from models.core.tasks import TRAINABLE_TASKS
from models.finetune.methods import METHODS, LoraSettings

SCHEDULERS = ("linear", "cosine", "constant_with_warmup")
MAX_EPOCHS = 20


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
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["methods"] = tuple(values.get("methods", cls().methods))
        lora = dict(values.get("lora") or {})
        lora["target_modules"] = tuple(lora.get("target_modules", ()))
        values["lora"] = LoraSettings(**lora)
        return cls(**values)

    def check(self) -> None:
        """Reject impossible settings with a message a user can act on."""
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
        if not 0 < self.epochs <= MAX_EPOCHS:
            raise ConfigError(
                f"Epochs must be more than 0 and at most {MAX_EPOCHS} (got {self.epochs})."
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
                f"A time budget must be between 0.2 and 1440 minutes (got {self.budget_minutes})."
            )
        if self.dataset == "upload":
            if not self.upload_path or not Path(self.upload_path).is_file():
                raise ConfigError("Upload a labelled CSV, TSV or JSONL file first.")
            if not self.upload_columns.get("text") or not self.upload_columns.get("label"):
                raise ConfigError("Choose the text column and the label column of the upload.")
