"""Recipes for the offline default classifiers: one per model key, trained within a time budget.

``python -m models.finetune --default-for sentiment-ko [--budget-minutes 3] [--dataset D]``
trains the key's recipe with the engine (the budget sizes rows, epochs and max length), and the
result becomes the key's model in the Classification tab (``sources.task_models``). Recipes were
chosen on validation splits only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.core.errors import PlaygroundError
from models.core.i18n import Text
from models.core.monitor import Monitor
from models.core.settings import Settings
from models.finetune.config import FinetuneConfig
from models.finetune.engine import run_finetune
from models.finetune.methods import LoraSettings
from models.finetune.promotion import promote_if_better
from models.finetune.runs import MethodResult, RunRecord, save_record
from models.sources.task_models import classification_keys

DEFAULT_BUDGET_MINUTES = 3.0


@dataclass(frozen=True)
class Recipe:
    """How a task's default is trained."""

    task: str
    dataset: str
    base: str
    method: str
    learning_rate: float
    batch_size: int = 16
    max_length: int = 64
    epochs: float = 1.0
    lora: LoraSettings = field(default_factory=LoraSettings)
    eval_size: int = 400
    probe_c: float = 10.0
    trained_layers: int = 4  # method "top"
    partner: str = ""  # a fitted method trained on every row first, then ensembled with ``method``
    why: str = ""

    @property
    def methods(self) -> tuple[str, ...]:
        return (self.partner, self.method) if self.partner else (self.method,)


# Chosen on validation splits (docs/experiments/nsmc.md, docs/BENCHMARKS.md). Keys: a model key,
# or "key:dataset" where a dataset wants another recipe than the key's default dataset.
RECIPES: dict[str, Recipe] = {
    "sentiment-ko": Recipe(
        "sentiment", "nsmc", "packaged:multilingual-e5-small", "top", 1e-4, partner="ngram",
        trained_layers=4,
        why="Korean needs the multilingual encoder. Its top 4 layers are trained and the 8 below "
        "run once per review, their output cached, so a budget buys up to 3 epochs where LoRA "
        "managed 2 (validation, all reviews: 0.838 after 3 epochs vs LoRA's 0.831; at 3 minutes "
        "they tie). Character n-grams fit all 18,000 reviews in seconds and err differently: "
        "their average beats either (validation: n-grams 0.839, top layers 0.838, average 0.859). "
        "The weights are chosen on validation rows: at 3 minutes the encoder is the weaker one.",
    ),
    "sentiment-en": Recipe(
        "sentiment", "vader", "packaged:all-MiniLM-L6-v2", "full", 1e-4,
        why="MiniLM is English-only and 5x cheaper per row than e5; full fine-tuning fits.",
    ),
    "nli": Recipe(
        "nli", "kornli", "packaged:multilingual-e5-small", "probe", 0.0, probe_c=1.0,
        eval_size=262,
        why="2,228 pairs are too few to fine-tune a cross-encoder in minutes; a logistic "
        "regression on e5 pair features [u, v, |u-v|, u*v] learns from all of them.",
    ),
    "intent": Recipe(
        "intent", "snips", "packaged:all-MiniLM-L6-v2", "full", 1e-4, max_length=48,
        why="SNIPS is English and easy; full fine-tuning of MiniLM reaches ~99.7%.",
    ),
    "intent:clinc150": Recipe(
        "intent", "clinc150", "packaged:all-MiniLM-L6-v2", "probe", 0.0, probe_c=10.0,
        why="150 intents: embeddings + logistic regression uses all 15,000 rows in a minute.",
    ),
    "intent:banking77": Recipe(
        "intent", "banking77", "packaged:all-MiniLM-L6-v2", "probe", 0.0, probe_c=10.0,
        why="77 intents: embeddings + logistic regression uses every row in a minute.",
    ),
}  # fmt: skip


def recipe_config(
    model_key: str, budget_minutes: float, dataset: str | None = None
) -> FinetuneConfig:
    """The engine config for a key's default model (``dataset`` overrides the recipe's)."""
    keys = classification_keys()
    if model_key not in keys:
        raise PlaygroundError(
            Text(
                "No default recipe for '{key}'. Choose one of: {keys}.",
                "'{key}'의 기본 레시피가 없습니다. 다음 중에서 고르세요: {keys}.",
                key=model_key,
                keys=", ".join(keys),
            )
        )
    recipe = RECIPES.get(f"{model_key}:{dataset}", RECIPES[model_key])
    return FinetuneConfig(
        task=recipe.task,
        dataset=dataset or recipe.dataset,
        base=recipe.base,
        methods=recipe.methods,
        eval_size=recipe.eval_size,
        epochs=recipe.epochs,
        batch_size=recipe.batch_size,
        learning_rates={recipe.method: recipe.learning_rate} if recipe.learning_rate else {},
        probe_c=recipe.probe_c,
        trained_layers=recipe.trained_layers,
        max_length=recipe.max_length,
        lora=recipe.lora,
        merge_lora=recipe.method == "lora",
        fitted_all_rows=bool(recipe.partner),
        ensemble=bool(recipe.partner),
        budget_minutes=budget_minutes,
        curve_points=2,
    )


def default_result(record: RunRecord) -> MethodResult:
    """The result a default run registers: its ensemble when it has one, else its last method."""
    ensemble = record.result("ensemble")
    if ensemble is not None and ensemble.status == "done":
        return ensemble
    trained = [m for m in record.methods if m.method != "ensemble"]
    return trained[-1]


def train_default(
    model_key: str,
    budget_minutes: float = DEFAULT_BUDGET_MINUTES,
    dataset: str | None = None,
    monitor: Monitor | None = None,
    settings: Settings | None = None,
) -> RunRecord:
    """Train the key's default within the budget; it becomes the key's model if it finished and
    scores at least as well as the current one on the same validation rows (``record.promotion``
    says which won)."""
    config = recipe_config(model_key, budget_minutes, dataset)
    record = run_finetune(config, monitor, settings)
    result = default_result(record)
    if result.status == "done":
        if monitor is not None:
            monitor.phase(
                Text(
                    "Comparing with the current default on the same validation rows",
                    "같은 검증 행에서 현재 기본 모델과 비교하는 중입니다",
                )
            )
        record.promotion = promote_if_better(model_key, record, result, settings).as_dict()
        if record.folder:
            save_record(record, settings)
    return record
