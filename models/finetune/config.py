"""The fine-tuning configuration: one dataclass shared by the tab and the command line."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from models.core.errors import ConfigError
from models.core.i18n import Text
from models.core.settings import Settings, get_settings
from models.core.tasks import TRAINABLE_TASKS
from models.finetune.methods import METHODS, LoraSettings
from models.finetune.typed import typed_fields

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
            raise ConfigError(
                Text(
                    "The settings must be a JSON object of FinetuneConfig fields.",
                    "설정은 FinetuneConfig 필드로 된 JSON 객체여야 합니다.",
                )
            )
        values = typed_fields(data, cls, _t("settings", "설정"), "")
        values["methods"] = tuple(values.get("methods", cls().methods))
        lora = values.get("lora") or {}
        if not isinstance(lora, dict):
            raise ConfigError(
                Text(
                    'lora must be an object such as {"rank": 8, "alpha": 16}.',
                    'lora는 {"rank": 8, "alpha": 16} 같은 객체여야 합니다.',
                )
            )
        lora = typed_fields(lora, LoraSettings, _t("LoRA settings", "LoRA 설정"), "lora.")
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
                _t(
                    "Unknown task '{task}'. Choose one of: {tasks}.",
                    "알 수 없는 작업입니다: '{task}'. 다음 중에서 고르세요: {tasks}.",
                    task=self.task,
                    tasks=", ".join(TRAINABLE_TASKS),
                )
            )
        if not self.methods:
            raise ConfigError(
                _t("Choose at least one method to train.", "학습할 방법을 하나 이상 고르세요.")
            )
        for method in self.methods:
            if method not in METHODS:
                raise ConfigError(
                    _t(
                        "Unknown method '{method}'. Choose from: {names}.",
                        "알 수 없는 방법입니다: '{method}'. 다음 중에서 고르세요: {names}.",
                        method=method,
                        names=", ".join(METHODS),
                    )
                )
        if len(set(self.methods)) != len(self.methods):
            raise ConfigError(
                _t(
                    "Each method can be chosen once per run.",
                    "방법마다 한 번씩만 고를 수 있습니다.",
                )
            )
        if not 0 < self.epochs <= limits.max_epochs:
            raise ConfigError(
                _t(
                    "Epochs must be more than 0 and at most {most:g} on this server (got {got:g}).",
                    "에폭은 0보다 크고 이 서버에서는 {most:g} 이하여야 합니다(입력값 {got:g}).",
                    most=limits.max_epochs,
                    got=self.epochs,
                )
            )
        if not 1 <= self.batch_size <= 512:
            raise ConfigError(
                _t(
                    "Batch size must be between 1 and 512 (got {got}).",
                    "배치 크기는 1에서 512 사이여야 합니다(입력값 {got}).",
                    got=self.batch_size,
                )
            )
        if self.train_size < 2:
            raise ConfigError(
                _t(
                    "Train on at least 2 rows (got {got}).",
                    "학습 행은 2개 이상이어야 합니다(입력값 {got}).",
                    got=self.train_size,
                )
            )
        if self.eval_size < 1:
            raise ConfigError(
                _t(
                    "Evaluate on at least 1 row (got {got}).",
                    "평가 행은 1개 이상이어야 합니다(입력값 {got}).",
                    got=self.eval_size,
                )
            )
        if not 8 <= self.max_length <= 512:
            raise ConfigError(
                _t(
                    "Max length must be between 8 and 512 tokens (got {got}).",
                    "최대 길이는 8에서 512 토큰 사이여야 합니다(입력값 {got}).",
                    got=self.max_length,
                )
            )
        self._check_learning_rates()
        if "probe" in self.methods and not self.probe_c > 0:
            raise ConfigError(
                _t(
                    "The probe's C must be above 0 (got {got}).",
                    "프로브의 C는 0보다 커야 합니다(입력값 {got}).",
                    got=self.probe_c,
                )
            )
        if not 0 <= self.warmup_ratio < 1:
            raise ConfigError(
                _t(
                    "Warm-up is a share of the steps, 0 to <1 (got {got}).",
                    "워밍업은 전체 스텝 중 비율로, 0 이상 1 미만입니다(입력값 {got}).",
                    got=self.warmup_ratio,
                )
            )
        if self.scheduler not in SCHEDULERS:
            raise ConfigError(
                _t(
                    "Unknown scheduler '{got}'. Choose one of: {names}.",
                    "알 수 없는 스케줄러입니다: '{got}'. 다음 중에서 고르세요: {names}.",
                    got=self.scheduler,
                    names=", ".join(SCHEDULERS),
                )
            )
        if any(METHODS[m].uses_lora for m in self.methods):
            self._check_lora()
        if "top" in self.methods and self.trained_layers < 1:
            raise ConfigError(
                _t(
                    "Train at least 1 top layer (got {got}).",
                    "상위 층을 1개 이상 학습하세요(입력값 {got}).",
                    got=self.trained_layers,
                )
            )
        if self.budget_minutes is not None and not 0.2 <= self.budget_minutes <= 24 * 60:
            raise ConfigError(
                _t(
                    "A time budget must be between 0.2 and 1440 minutes (got {got:g}).",
                    "시간 예산은 0.2분에서 1440분 사이여야 합니다(입력값 {got:g}).",
                    got=self.budget_minutes,
                )
            )
        if self.dataset == "upload":
            if not self.upload_path or not Path(self.upload_path).is_file():
                raise ConfigError(
                    _t(
                        "Upload a labelled CSV, TSV or JSONL file first.",
                        "먼저 레이블이 있는 CSV, TSV 또는 JSONL 파일을 올리세요.",
                    )
                )
            if not self.upload_columns.get("text") or not self.upload_columns.get("label"):
                raise ConfigError(
                    _t(
                        "Choose the text column and the label column of the upload.",
                        "올린 파일의 텍스트 열과 레이블 열을 고르세요.",
                    )
                )

    def _check_learning_rates(self) -> None:
        for method, rate in self.learning_rates.items():
            if method in METHODS and not METHODS[method].trainer:  # fitted: no learning rate
                continue
            if not rate > 0:
                raise ConfigError(
                    _t(
                        "The learning rate must be above 0 (got {rate} for {method}).",
                        "학습률은 0보다 커야 합니다({method}의 입력값 {rate}).",
                        rate=rate,
                        method=method,
                    )
                )
            if rate >= 1:
                raise ConfigError(
                    _t(
                        "A learning rate of {rate} for {method} would diverge; use < 1.",
                        "{method}의 학습률 {rate}은(는) 발산합니다. 1보다 작게 하세요.",
                        rate=rate,
                        method=method,
                    )
                )

    def _check_lora(self) -> None:
        lora = self.lora
        if lora.rank < 1:
            raise ConfigError(
                _t(
                    "LoRA rank must be at least 1 (got {got}).",
                    "LoRA 랭크는 1 이상이어야 합니다(입력값 {got}).",
                    got=lora.rank,
                )
            )
        if lora.alpha <= 0:
            raise ConfigError(
                _t(
                    "LoRA alpha must be above 0 (got {got}).",
                    "LoRA 알파는 0보다 커야 합니다(입력값 {got}).",
                    got=lora.alpha,
                )
            )
        if not 0 <= lora.dropout < 1:
            raise ConfigError(
                _t(
                    "LoRA dropout must be in [0, 1) (got {got}).",
                    "LoRA 드롭아웃은 0 이상 1 미만이어야 합니다(입력값 {got}).",
                    got=lora.dropout,
                )
            )
        if lora.top_layers < 0:
            raise ConfigError(
                _t(
                    "LoRA top layers must be 0 (all) or more (got {got}).",
                    "LoRA 상위 층 수는 0(전체) 이상이어야 합니다(입력값 {got}).",
                    got=lora.top_layers,
                )
            )

    def _check_limits(self, limits: Settings) -> None:
        """The sizes that cost memory or time, bounded by this server's settings."""
        bounds = (
            (_t("Training rows", "학습 행 수"), self.train_size, limits.max_train_rows,
             "PLAYGROUND_MAX_TRAIN_ROWS"),
            (_t("Evaluation rows", "평가 행 수"), self.eval_size, limits.max_eval_rows,
             "PLAYGROUND_MAX_EVAL_ROWS"),
            (_t("LoRA rank", "LoRA 랭크"), self.lora.rank, limits.max_lora_rank,
             "PLAYGROUND_MAX_LORA_RANK"),
        )  # fmt: skip
        for what, value, most, env in bounds:
            if value > most:
                raise ConfigError(
                    _t(
                        "{what} is {value:,}; this server allows at most {most:,} ({env}).",
                        "{what}이(가) {value:,}입니다. 이 서버에서는 최대 {most:,}입니다({env}).",
                        what=what,
                        value=value,
                        most=most,
                        env=env,
                    )
                )
        budget = self.budget_minutes
        if budget is not None and budget > limits.max_run_minutes:
            raise ConfigError(
                _t(
                    "A time budget of {budget:g} minutes is more than this server lets a run take "
                    "({most:g}, PLAYGROUND_MAX_RUN_MINUTES).",
                    "시간 예산 {budget:g}분은 이 서버가 한 번의 학습에 허용하는 시간보다 깁니다"
                    "({most:g}, PLAYGROUND_MAX_RUN_MINUTES).",
                    budget=budget,
                    most=limits.max_run_minutes,
                )
            )
        if len(self.learning_rates) > len(METHODS):
            raise ConfigError(
                _t(
                    "Give at most one learning rate per method.",
                    "학습률은 방법마다 하나까지만 주세요.",
                )
            )
        if len(self.upload_columns) > 3:
            raise ConfigError(
                _t(
                    "Upload columns are text, text_pair and label only.",
                    "업로드 열은 text, text_pair, label뿐입니다.",
                )
            )


_t = Text  # short, for the many messages above
