"""The Fine-tuning tab's settings: one typed ``Form`` instead of dozens of positional arguments.

Every control has a label and a one-line hint in both languages. ``Form.config`` reads the
submitted values into a ``FinetuneConfig``; ``Form.filled`` does the reverse, so a past run can
put back every setting it used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from demos.finetune.texts import T, fill
from models.core.errors import PlaygroundError
from models.core.i18n import Text, localize
from models.finetune.config import SCHEDULERS, FinetuneConfig
from models.finetune.methods import METHODS, LoraSettings, available_methods
from models.finetune.names import dataset_title
from models.sources.packaged import PACKAGED
from models.sources.task_models import key_for_language

DEFAULT_METHODS = ["full", "lora", "head"]
# Rows a slider offers before the page load reads the dataset's real size.
INITIAL_TRAIN_ROWS, INITIAL_EVAL_ROWS = 2000, 500
TASKS = {
    "sentiment": Text("sentiment", "감성"),
    "nli": Text("NLI", "자연어 추론(NLI)"),
    "intent": Text("intent", "의도"),
    "custom": Text("custom (your file)", "사용자 정의(내 파일)"),
}
UPLOAD_CHOICE = Text("Upload a file (CSV, TSV, JSONL)", "파일 올리기(CSV, TSV, JSONL)")
LANGUAGES = {
    "English": Text("English", "영어"),
    "multilingual (Korean + English)": Text(
        "multilingual (Korean + English)", "다국어(한국어 + 영어)"
    ),
}
SCHEDULER_NAMES = {
    "linear": Text("linear decay", "선형 감소"),
    "cosine": Text("cosine decay", "코사인 감소"),
    "constant_with_warmup": Text("constant after warm-up", "워밍업 뒤 일정"),
}


def base_choices() -> list[tuple[Text, str]]:
    """The packaged encoders, named with their languages and size; any other can be typed."""
    return [
        (Text("{name} · {langs} · {size} · packaged", "{name} · {langs} · {size} · packaged",
              name=m.name, langs=LANGUAGES.get(m.languages, m.languages),
              size=m.parameters.split()[0]), m.ref)
        for m in PACKAGED.values()
        if m.kind == "embedding"
    ]  # fmt: skip


def base_for(language: str) -> str:
    """The base encoder proposed for a dataset in ``language`` (``task_models.toml``)."""
    return key_for_language("finetune-base", language).offline


def dataset_choices(names: list[str], lang: str) -> list[tuple[str, str]]:
    """A task's datasets by their short names, then the upload, in ``lang``."""
    return [
        (localize(UPLOAD_CHOICE if n == "upload" else dataset_title(n), lang), n) for n in names
    ]


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
    upload_error: gr.State  # why the chosen file could not be read (None: it could)

    def components(self) -> set[gr.components.Component]:
        items = {v for k, v in self.__dict__.items() if k != "learning_rates"}
        return items | set(self.learning_rates.values())

    def config(self, values: dict) -> FinetuneConfig:
        """Build the config from submitted values (validation happens in ``config.check``).

        Raises:
            PlaygroundError: the chosen upload could not be read (its own reason, not a missing
                column), or a setting is not a number.
        """
        dataset = values[self.dataset]
        if dataset == "upload" and values.get(self.upload_error):
            raise PlaygroundError(
                Text(
                    "The uploaded file could not be read: {err} Upload a corrected file.",
                    "올린 파일을 읽을 수 없습니다: {err} 고친 파일을 올리세요.",
                    err=values[self.upload_error],
                )
            )
        try:
            return self._config(values, dataset)
        except (TypeError, ValueError) as err:
            raise PlaygroundError(
                Text("Fill in every setting with a number.", "모든 설정을 숫자로 채우세요.")
            ) from err

    def _config(self, values: dict, dataset: str) -> FinetuneConfig:
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

    def filled(
        self, config: dict, datasets: list[str], lang: str, rows: tuple[int, int] = (0, 0)
    ) -> dict[Any, Any]:
        """Every setting as ``config`` (a run record's) had it: the value for each control.

        ``datasets``: the choices of the run's task; ``rows``: its dataset's training and
        validation row counts (the sliders' maximums). An upload's file cannot be put back (it
        is gone); its columns are.
        """
        c = FinetuneConfig.from_dict(config)
        offered = {name for _, name in offered_methods()}
        columns = c.upload_columns
        pick = lambda name: gr.update(choices=[name] if name else [], value=name or None)  # noqa: E731
        updates: dict[Any, Any] = {
            self.task: c.task,
            self.dataset: gr.update(choices=dataset_choices(datasets, lang), value=c.dataset),
            self.base: c.base,
            self.methods: [m for m in c.methods if m in offered],
            self.train_size: gr.update(value=c.train_size, maximum=max(c.train_size, rows[0], 3)),
            self.eval_size: gr.update(value=c.eval_size, maximum=max(c.eval_size, rows[1], 2)),
            self.epochs: c.epochs,
            self.batch_size: c.batch_size,
            self.warmup: c.warmup_ratio,
            self.scheduler: c.scheduler,
            self.max_length: c.max_length,
            self.seed: c.seed,
            self.lora_rank: c.lora.rank,
            self.lora_alpha: c.lora.alpha,
            self.lora_dropout: c.lora.dropout,
            self.lora_targets: ",".join(c.lora.target_modules),
            self.lora_top_layers: c.lora.top_layers,
            self.merge_lora: c.merge_lora,
            self.budget: c.budget_minutes or 0,
            self.probe_c: c.probe_c,
            self.trained_layers: c.trained_layers,
            self.fitted_all_rows: c.fitted_all_rows,
            self.ensemble: c.ensemble,
            self.text_column: pick(columns.get("text")),
            self.label_column: pick(columns.get("label")),
            self.pair_column: pick(columns.get("text_pair")),
        }
        for method, number in self.learning_rates.items():
            updates[number] = c.learning_rate(method, METHODS[method].default_lr)
        return updates


def offered_methods() -> list[tuple[Text, str]]:
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
    upload_error: gr.State  # why the chosen file could not be read (None: it could)


def create_data_settings(tasks: list[str], datasets: list[str]) -> DataSettings:
    """Task, dataset, the upload and its columns, and the line about the data.

    The dataset's choices follow the task and the language, so the page load fills them (with
    the upload); the constructor names the registered datasets only.
    """
    task = gr.Radio([(TASKS.get(t, t), t) for t in tasks], value="intent", label=T.task)
    dataset = gr.Dropdown(
        [(dataset_title(n), n) for n in datasets if n != "upload"], value=datasets[0],
        label=T.dataset, elem_id="ft-dataset",
    )  # fmt: skip
    info = gr.Markdown(elem_id="ft-data-info")
    with gr.Group(visible=False) as upload_group:
        upload = gr.File(label=T.upload, file_types=[".csv", ".tsv", ".jsonl", ".json"])
        with gr.Row():
            text_column = gr.Dropdown(label=T.text_column, choices=[], allow_custom_value=True)
            pair_column = gr.Dropdown(label=T.pair_column, choices=[], allow_custom_value=True)
            label_column = gr.Dropdown(label=T.label_column, choices=[], allow_custom_value=True)
    return DataSettings(
        task, dataset, info, upload_group, upload, text_column, pair_column, label_column,
        gr.State(None),
    )  # fmt: skip


def _learning_rates(names: set[str]) -> dict[str, gr.Number]:
    hint = T.lr_info
    return {
        name: gr.Number(
            m.default_lr,
            label=fill(T.lr, m=m.title),
            info=fill(hint, lr=m.default_lr),
        )
        for name, m in METHODS.items()
        if name in names and m.trainer
    }


def create_form(data: DataSettings) -> Form:
    """Base, methods, sizes and every training knob, beneath the data settings."""
    methods_here = offered_methods()
    base = gr.Dropdown(
        base_choices(), value=base_for("en"), label=T.base, allow_custom_value=True,
        info=T.base_info, elem_id="ft-base",
    )  # fmt: skip
    methods = gr.CheckboxGroup(
        methods_here, value=DEFAULT_METHODS, label=T.methods, info=T.methods_info,
        elem_id="ft-methods",
    )  # fmt: skip
    with gr.Row():
        # Minimums as low as the engine accepts: below them the slider itself refuses. The
        # maximums are the dataset's row counts, set when the page loads and on every change.
        train_size = gr.Slider(2, INITIAL_TRAIN_ROWS, value=INITIAL_TRAIN_ROWS, step=1,
                               label=T.train_rows, info=T.train_rows_info)  # fmt: skip
        eval_size = gr.Slider(1, INITIAL_EVAL_ROWS, value=INITIAL_EVAL_ROWS, step=1,
                              label=T.eval_rows, info=T.eval_rows_info)  # fmt: skip
    with gr.Row():
        epochs = gr.Number(1, label=T.epochs, step=0.5, info=T.epochs_info, elem_id="ft-epochs")
        batch_size = gr.Number(8, label=T.batch, precision=0, info=T.batch_info)
        budget = gr.Number(0, label=T.budget, info=T.budget_info)
    with gr.Accordion(T.more, open=False):
        with gr.Row():
            learning_rates = _learning_rates({name for _, name in methods_here})
            probe_c = gr.Number(10.0, label=T.probe_c, info=T.probe_c_info)
            trained_layers = gr.Number(4, label=T.top, precision=0, info=T.top_info)
        with gr.Row():
            warmup = gr.Slider(0, 0.5, value=0.06, step=0.01, label=T.warmup, info=T.warmup_info)
            scheduler = gr.Dropdown(
                [(SCHEDULER_NAMES[n], n) for n in SCHEDULERS], value="linear", label=T.scheduler,
                info=T.scheduler_info,
            )  # fmt: skip
        with gr.Row():
            max_length = gr.Slider(16, 512, value=128, step=8, label=T.max_length,
                                   info=T.max_length_info)  # fmt: skip
            seed = gr.Number(42, label=T.seed, precision=0, info=T.seed_info)
    with gr.Accordion(T.lora, open=False):
        with gr.Row():
            lora_rank = gr.Number(8, label=T.rank, precision=0, info=T.rank_info)
            lora_alpha = gr.Number(16, label=T.alpha, info=T.alpha_info)
            lora_dropout = gr.Number(0.05, label=T.dropout, info=T.dropout_info)
        lora_top_layers = gr.Number(0, label=T.lora_top, precision=0, info=T.lora_top_info)
        lora_targets = gr.Textbox(label=T.targets, value="", info=T.targets_info)
        merge_lora = gr.Checkbox(False, label=T.merge, info=T.merge_info)
    with gr.Row():
        fitted_all_rows = gr.Checkbox(False, label=T.all_rows, info=T.all_rows_info)
        ensemble = gr.Checkbox(False, label=T.ensemble, info=T.ensemble_info)
    return Form(
        data.task, data.dataset, data.upload, data.text_column, data.label_column,
        data.pair_column, base, methods, train_size, eval_size, epochs, batch_size,
        learning_rates, warmup, scheduler, max_length, seed, lora_rank, lora_alpha, lora_dropout,
        lora_targets, lora_top_layers, merge_lora, budget, probe_c, trained_layers,
        fitted_all_rows, ensemble, data.upload_error,
    )  # fmt: skip
