"""The Fine-tuning tab's settings: one typed ``Form`` instead of dozens of positional arguments."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from models.finetune.config import SCHEDULERS, FinetuneConfig
from models.finetune.methods import METHODS, LoraSettings, available_methods
from models.sources.packaged import PACKAGED
from models.sources.task_models import key_for_language

DEFAULT_METHODS = ["full", "lora", "head"]
# Rows a slider offers before the page load reads the dataset's real size.
INITIAL_TRAIN_ROWS, INITIAL_EVAL_ROWS = 2000, 500


def base_choices() -> list[tuple[str, str]]:
    """The packaged encoders, named with their languages and size; any other can be typed."""
    return [
        (f"{m.name} · {m.languages} · {m.parameters.split()[0]} · packaged", m.ref)
        for m in PACKAGED.values()
        if m.kind == "embedding"
    ]


def base_for(language: str) -> str:
    """The base encoder proposed for a dataset in ``language`` (``task_models.toml``)."""
    return key_for_language("finetune-base", language).offline


@dataclass
class Form:
    """The settings components, so handlers can read them by name from a values dict."""

    task: gr.Radio
    dataset: gr.Dropdown
    upload: gr.File
    text_column: gr.Dropdown
    label_column: gr.Dropdown
    pair_column: gr.Dropdown
    base: gr.Dropdown
    methods: gr.CheckboxGroup
    train_size: gr.Slider
    eval_size: gr.Slider
    epochs: gr.Number
    batch_size: gr.Number
    learning_rates: dict[str, gr.Number]
    warmup: gr.Slider
    scheduler: gr.Dropdown
    max_length: gr.Slider
    seed: gr.Number
    lora_rank: gr.Number
    lora_alpha: gr.Number
    lora_dropout: gr.Number
    lora_targets: gr.Textbox
    lora_top_layers: gr.Number
    merge_lora: gr.Checkbox
    budget: gr.Number
    probe_c: gr.Number
    trained_layers: gr.Number
    fitted_all_rows: gr.Checkbox
    ensemble: gr.Checkbox

    def components(self) -> set[gr.components.Component]:
        items = {v for k, v in self.__dict__.items() if k != "learning_rates"}
        return items | set(self.learning_rates.values())

    def config(self, values: dict) -> FinetuneConfig:
        """Build the config from submitted values (validation happens in ``config.check``)."""
        dataset = values[self.dataset]
        roles = (("text", self.text_column), ("label", self.label_column),
                 ("text_pair", self.pair_column))  # fmt: skip
        columns = {role: values[c] for role, c in roles if values[c]}
        budget = values[self.budget]
        targets = (values[self.lora_targets] or "").split(",")
        return FinetuneConfig(
            task=values[self.task],
            dataset=dataset,
            base=(values[self.base] or "").strip(),
            methods=tuple(values[self.methods] or ()),
            train_size=int(values[self.train_size]),
            eval_size=int(values[self.eval_size]),
            epochs=float(values[self.epochs] or 0),
            batch_size=int(values[self.batch_size] or 0),
            learning_rates={
                m: float(values[c]) for m, c in self.learning_rates.items() if values[c] is not None
            },
            warmup_ratio=float(values[self.warmup]),
            scheduler=values[self.scheduler],
            max_length=int(values[self.max_length]),
            seed=int(values[self.seed] or 0),
            lora=LoraSettings(
                rank=int(values[self.lora_rank] or 0),
                alpha=float(values[self.lora_alpha] or 0),
                dropout=float(values[self.lora_dropout] or 0),
                target_modules=tuple(t.strip() for t in targets if t.strip()),
                top_layers=int(values[self.lora_top_layers] or 0),
            ),
            merge_lora=bool(values[self.merge_lora]),
            probe_c=float(values[self.probe_c] or 0),
            trained_layers=int(values[self.trained_layers] or 0),
            fitted_all_rows=bool(values[self.fitted_all_rows]),
            ensemble=bool(values[self.ensemble]),
            budget_minutes=float(budget) if budget else None,
            upload_path=values[self.upload] if dataset == "upload" else None,
            upload_columns=columns if dataset == "upload" else {},
        )


def offered_methods() -> list[tuple[str, str]]:
    """(title, name) of the methods that can run here."""
    reasons = available_methods()
    return [(m.title, name) for name, m in METHODS.items() if reasons[name] is None]


@dataclass
class DataSettings:
    """Where the rows come from: task, dataset or upload, its columns, and a line about it."""

    task: gr.Radio
    dataset: gr.Dropdown
    info: gr.Markdown
    upload_group: gr.Group
    upload: gr.File
    text_column: gr.Dropdown
    pair_column: gr.Dropdown
    label_column: gr.Dropdown


def create_data_settings(tasks: list[str], datasets: list[str]) -> DataSettings:
    """Task, dataset, the upload and its columns, and the line about the data."""
    task = gr.Radio(tasks, value="intent", label="Task")
    dataset = gr.Dropdown(datasets, value=datasets[0], label="Dataset", elem_id="ft-dataset")
    info = gr.Markdown(elem_id="ft-data-info")
    with gr.Group(visible=False) as upload_group:
        upload = gr.File(
            label="Labelled CSV / TSV / JSONL", file_types=[".csv", ".tsv", ".jsonl", ".json"]
        )
        with gr.Row():
            text_column = gr.Dropdown(label="Text column", choices=[], allow_custom_value=True)
            pair_column = gr.Dropdown(
                label="Second text (NLI), optional", choices=[], allow_custom_value=True
            )
            label_column = gr.Dropdown(label="Label column", choices=[], allow_custom_value=True)
    return DataSettings(
        task, dataset, info, upload_group, upload, text_column, pair_column, label_column
    )


def create_form(data: DataSettings) -> Form:
    """Base, methods, sizes and every training knob, beneath the data settings."""
    methods_here = offered_methods()
    base = gr.Dropdown(
        base_choices(), value=base_for("en"), label="Base encoder", allow_custom_value=True,
        info="A packaged model, a local folder, or a Hugging Face Hub id", elem_id="ft-base",
    )  # fmt: skip
    methods = gr.CheckboxGroup(
        methods_here, value=DEFAULT_METHODS, label="Methods to compare", elem_id="ft-methods"
    )
    with gr.Row():
        # Minimums as low as the engine accepts: below them the slider itself refuses. The
        # maximums are the dataset's row counts, set when the page loads and on every change.
        train_size = gr.Slider(
            2, INITIAL_TRAIN_ROWS, value=INITIAL_TRAIN_ROWS, step=1, label="Training rows"
        )
        eval_size = gr.Slider(
            1, INITIAL_EVAL_ROWS, value=INITIAL_EVAL_ROWS, step=1, label="Evaluation rows"
        )
    with gr.Row():
        epochs = gr.Number(1, label="Epochs", step=0.5)
        batch_size = gr.Number(8, label="Batch size", precision=0)
        budget = gr.Number(
            0, label="Time budget (min, 0 = off)",
            info="Chooses rows, epochs and max length to finish in about this time",
        )  # fmt: skip
    with gr.Accordion("Learning rates, schedule, length, seed", open=False):
        with gr.Row():
            offered = {name for _, name in methods_here}
            learning_rates = {
                name: gr.Number(m.default_lr, label=f"LR: {m.title}")
                for name, m in METHODS.items()
                if name in offered and m.trainer
            }
            probe_c = gr.Number(
                10.0, label="Probe: C (inverse regularisation)",
                info="For sentence embeddings + logistic regression",
            )  # fmt: skip
            trained_layers = gr.Number(
                4, label="Top layers: how many to train", precision=0,
                info="For 'Top layers, frozen bottom cached'",
            )  # fmt: skip
        with gr.Row():
            warmup = gr.Slider(0, 0.5, value=0.06, step=0.01, label="Warm-up (share of steps)")
            scheduler = gr.Dropdown(list(SCHEDULERS), value="linear", label="Scheduler")
        with gr.Row():
            max_length = gr.Slider(16, 512, value=128, step=8, label="Max length (tokens)")
            seed = gr.Number(42, label="Seed", precision=0)
    with gr.Accordion("LoRA settings", open=False):
        with gr.Row():
            lora_rank = gr.Number(8, label="Rank r", precision=0)
            lora_alpha = gr.Number(16, label="Alpha")
            lora_dropout = gr.Number(0.05, label="Dropout")
        lora_top_layers = gr.Number(
            0, label="Adapt only the top N layers (0 = all)", precision=0,
            info="Backpropagation stops below them: faster, usually a little less accurate",
        )  # fmt: skip
        lora_targets = gr.Textbox(
            label="Target modules (empty: peft's default, e.g. query,value)", value=""
        )
        merge_lora = gr.Checkbox(False, label="Also save LoRA merged into the base model")
    with gr.Row():
        fitted_all_rows = gr.Checkbox(
            False, label="Fitted methods use every training row",
            info="The probe and n-grams fit in seconds; the other methods keep the "
            "rows above (or the budget's)",
        )  # fmt: skip
        ensemble = gr.Checkbox(
            False, label="Also evaluate and save an ensemble",
            info="The finished methods' probabilities averaged, weighted on validation "
            "rows the evaluation never sees; usable in the Classification tab",
        )  # fmt: skip
    return Form(
        data.task, data.dataset, data.upload, data.text_column, data.label_column,
        data.pair_column, base, methods, train_size, eval_size, epochs, batch_size,
        learning_rates, warmup, scheduler, max_length, seed, lora_rank, lora_alpha, lora_dropout,
        lora_targets, lora_top_layers, merge_lora, budget, probe_c, trained_layers,
        fitted_all_rows, ensemble,
    )  # fmt: skip
