"""The Fine-tuning tab: LoRA vs full (and more) trained live on the same rows, then compared.

A thin UI over ``models.finetune``: the settings become a ``FinetuneConfig``; training runs in a
background job (one per server) whose monitor a generator polls for progress and loss curves.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from demos.widgets import column_dropdowns, heatmap_html, read_upload
from models.errors import PlaygroundError
from models.finetune import report
from models.finetune.config import SCHEDULERS, FinetuneConfig, LoraSettings
from models.finetune.jobs import Job, start_run, start_sweep
from models.finetune.methods import METHODS, available_methods, method_title

POLL_S = 1.0
READY = "Choose settings and press **Train**."
BASES = [
    ("all-MiniLM-L6-v2 (English, 23M, packaged)", "packaged:all-MiniLM-L6-v2"),
    ("multilingual-e5-small (Korean + English, 118M, packaged)", "packaged:multilingual-e5-small"),
]
TASK_DATASETS = {
    "sentiment": ["nsmc", "vader"],
    "nli": ["kornli"],
    "intent": ["snips", "clinc150", "banking77"],
    "custom": [],
}
DEFAULT_METHODS = ["full", "lora", "head"]


def _dataset_info(dataset: str) -> tuple[str, int, int]:
    """One line about the dataset, and its training / validation row counts (cheap: cached)."""
    from models.datasets.registry import load_dataset

    train = load_dataset(dataset, "train")
    validation = load_dataset(dataset, "validation")
    text = (
        f"{train.describe()} Validation: {len(validation.frame):,} rows (evaluation rows come "
        "from here; the test split is never trained or tuned on)."
    )
    return text, len(train.frame), len(validation.frame)


def _cleared_warning(current_status: str | None) -> Any:
    """A warning about the previous data or columns no longer applies once they change."""
    return READY if (current_status or "").startswith("⚠️") else gr.update()


def _base_for(dataset: str) -> str:
    from models.datasets.registry import get_spec

    return BASES[1][1] if get_spec(dataset).language == "ko" else BASES[0][1]


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
        methods = tuple(values[self.methods] or ())
        columns = {
            role: values[component]
            for role, component in (
                ("text", self.text_column),
                ("label", self.label_column),
                ("text_pair", self.pair_column),
            )
            if values[component]
        }
        upload = values[self.upload]
        budget = values[self.budget]
        return FinetuneConfig(
            task=values[self.task],
            dataset=dataset,
            base=(values[self.base] or "").strip(),
            methods=methods,
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
                target_modules=tuple(
                    t.strip() for t in (values[self.lora_targets] or "").split(",") if t.strip()
                ),
                top_layers=int(values[self.lora_top_layers] or 0),
            ),
            merge_lora=bool(values[self.merge_lora]),
            probe_c=float(values[self.probe_c] or 0),
            trained_layers=int(values[self.trained_layers] or 0),
            fitted_all_rows=bool(values[self.fitted_all_rows]),
            ensemble=bool(values[self.ensemble]),
            budget_minutes=float(budget) if budget else None,
            upload_path=upload if dataset == "upload" else None,
            upload_columns=columns if dataset == "upload" else {},
        )


def _confusion_html(record: dict) -> str:
    labels = record["labels"]
    parts = []
    for m in record["methods"]:
        if m["confusion_matrix"]:
            title = f"{method_title(m['method'])}: accuracy {m['eval_accuracy']:.3f}"
            parts.append(
                heatmap_html(m["confusion_matrix"], labels, labels, title, "true \\ predicted")
            )
    return "".join(parts) or "<p>No finished method yet.</p>"


def _runs_dropdown() -> dict:
    from models.finetune.runs import list_runs

    return gr.update(choices=report.runs_choices(list_runs()))


def _show_record(record: dict) -> dict[str, Any]:
    return {
        "results": report.results_frame(record),
        "curves": report.curves_frame(record["methods"]),
        "confusion": _confusion_html(record),
        "notes": report.fit_markdown(record),
    }


def finetune_api(config: dict) -> dict:
    """Train like the tab does; blocks until done. For programs (the CLI is the other way).

    Args:
        config: FinetuneConfig fields, e.g. {"dataset": "snips", "methods": ["lora", "head"],
            "train_size": 500, "learning_rates": {"lora": 0.002}}.

    Returns:
        The run record (per method: trainable_params, wall_s, eval_accuracy, ...), or
        {"error": message} for settings that cannot work or when the server is busy training.
    """
    unknown = set(config) - set(FinetuneConfig().to_dict())
    if unknown:
        return {"error": f"Unknown settings: {', '.join(sorted(unknown))}."}
    if config.get("dataset") == "upload":
        return {"error": "Uploads train from the tab or the command line, not through the API."}
    try:
        job = start_run(FinetuneConfig.from_dict(config))
    except (PlaygroundError, TypeError, ValueError) as err:
        return {"error": str(err)}
    job.wait()
    if job.error:
        return {"error": job.error}
    return job.result.as_dict()


def create_finetune_tab(app: gr.Blocks) -> None:
    """Build the tab and wire its events; it fills its dataset line and past runs on page load."""
    reasons = available_methods()
    method_choices = [(m.title, name) for name, m in METHODS.items() if reasons[name] is None]
    hidden = [f"{METHODS[n].title} ({r})" for n, r in reasons.items() if r]
    job_state = gr.State(None)

    gr.Markdown(
        "Train several fine-tuning methods on **the same rows with the same seed**, watch their "
        "loss curves, and compare what each costs (trainable parameters, time, memory, checkpoint "
        "size) and what it buys (accuracy, macro-F1). Saved models appear in the Classification "
        "tab. One training runs at a time on this server."
        + (f" Not offered here: {'; '.join(hidden)}." if hidden else "")
    )
    with gr.Row():
        with gr.Column(scale=2):
            task = gr.Radio(["sentiment", "nli", "intent", "custom"], value="intent", label="Task")
            dataset = gr.Dropdown(
                TASK_DATASETS["intent"] + ["upload"], value="snips", label="Dataset",
                elem_id="ft-dataset",
            )  # fmt: skip
            data_info = gr.Markdown(elem_id="ft-data-info")
            with gr.Group(visible=False) as upload_group:
                upload = gr.File(
                    label="Labelled CSV / TSV / JSONL",
                    file_types=[".csv", ".tsv", ".jsonl", ".json"],
                )
                with gr.Row():
                    text_column = gr.Dropdown(
                        label="Text column", choices=[], allow_custom_value=True
                    )
                    pair_column = gr.Dropdown(
                        label="Second text (NLI), optional", choices=[], allow_custom_value=True
                    )
                    label_column = gr.Dropdown(
                        label="Label column", choices=[], allow_custom_value=True
                    )
            base = gr.Dropdown(
                BASES, value=BASES[0][1], label="Base encoder", allow_custom_value=True,
                info="A packaged model, a local folder, or a Hugging Face Hub id",
                elem_id="ft-base",
            )  # fmt: skip
            methods = gr.CheckboxGroup(
                method_choices, value=DEFAULT_METHODS, label="Methods to compare",
                elem_id="ft-methods",
            )  # fmt: skip
            with gr.Row():
                # Minimums as low as the engine accepts: below them the slider itself refuses.
                train_size = gr.Slider(2, 12_395, value=2000, step=1, label="Training rows")
                eval_size = gr.Slider(1, 1_389, value=500, step=1, label="Evaluation rows")
            with gr.Row():
                epochs = gr.Number(1, label="Epochs", step=0.5)
                batch_size = gr.Number(8, label="Batch size", precision=0)
                budget = gr.Number(
                    0, label="Time budget (min, 0 = off)",
                    info="Chooses rows, epochs and max length to finish in about this time",
                )  # fmt: skip
            with gr.Accordion("Learning rates, schedule, length, seed", open=False):
                with gr.Row():
                    learning_rates = {
                        name: gr.Number(m.default_lr, label=f"LR: {m.title}")
                        for name, m in METHODS.items()
                        if reasons[name] is None and m.trainer
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
                    warmup = gr.Slider(
                        0, 0.5, value=0.06, step=0.01, label="Warm-up (share of steps)"
                    )
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
            with gr.Row():
                train_button = gr.Button("Train", variant="primary", elem_id="ft-train")
                stop_button = gr.Button("Stop", variant="stop", elem_id="ft-stop")
        with gr.Column(scale=3):
            status = gr.Markdown(READY, elem_id="ft-status")
            estimates = gr.Dataframe(
                label="Estimate before training (parameter counts + a short calibration)",
                interactive=False, elem_id="ft-estimates", visible=False,
            )  # fmt: skip
            curves = gr.LinePlot(
                x="epoch", y="loss", color="series", label="Train and evaluation loss",
                y_lim=[0, None], x_label_angle=-45, elem_id="ft-curves",
            )  # fmt: skip
            results = gr.Dataframe(
                label="Measured, per method (estimates beside)", interactive=False,
                elem_id="ft-results", wrap=True, visible=False,
            )  # fmt: skip
            notes = gr.Markdown(elem_id="ft-notes")
            confusion = gr.HTML(elem_id="ft-confusion")
            with gr.Accordion("Past runs", open=False):
                with gr.Row():
                    past_runs = gr.Dropdown(
                        choices=[], label="Run", scale=4, elem_id="ft-runs", allow_custom_value=True
                    )
                    refresh_runs = gr.Button("Refresh", scale=1)
                show_run = gr.Button("Show this run")

    with gr.Accordion("Batch size x learning rate sweep", open=False):
        gr.Markdown(
            "Batch size and learning rate interact: bigger batches take fewer, less noisy steps "
            "per epoch and usually need a larger learning rate. Train one method per cell on a "
            "small subset (same rows and seed) and see where accuracy is high."
        )
        with gr.Row():
            sweep_method = gr.Dropdown(
                [(title, name) for title, name in method_choices if METHODS[name].trainer],
                value="lora", label="Method",
            )  # fmt: skip
            sweep_batches = gr.Textbox("8, 16, 32", label="Batch sizes")
            sweep_rates = gr.Textbox("5e-4, 2e-3, 8e-3", label="Learning rates")
            sweep_rows = gr.Slider(32, 5000, value=400, step=8, label="Training rows per cell")
        with gr.Row():
            sweep_button = gr.Button("Run sweep", elem_id="ft-sweep")
            sweep_stop = gr.Button("Stop sweep", variant="stop")
        sweep_status = gr.Markdown(elem_id="ft-sweep-status")
        sweep_map = gr.HTML(elem_id="ft-sweep-map")

    form = Form(
        task, dataset, upload, text_column, label_column, pair_column, base, methods, train_size,
        eval_size, epochs, batch_size, learning_rates, warmup, scheduler, max_length, seed,
        lora_rank, lora_alpha, lora_dropout, lora_targets, lora_top_layers, merge_lora, budget,
        probe_c, trained_layers, fitted_all_rows, ensemble,
    )  # fmt: skip

    # -- settings that depend on each other ---------------------------------------------------
    def on_task(task_value: str) -> dict:
        choices = TASK_DATASETS[task_value] + ["upload"]
        return gr.update(choices=choices, value=choices[0])

    def on_dataset(dataset_value: str, current_status: str | None = None) -> dict:
        cleared = {status: _cleared_warning(current_status)}
        if dataset_value == "upload":
            return {
                **cleared,
                upload_group: gr.update(visible=True),
                data_info: "Upload a labelled file and map its columns.",
            }
        try:
            text, n_train, n_eval = _dataset_info(dataset_value)
        except PlaygroundError as err:
            return {**cleared, data_info: f"⚠️ {err}", upload_group: gr.update(visible=False)}
        return {
            **cleared,
            upload_group: gr.update(visible=False),
            data_info: text,
            train_size: gr.update(maximum=max(n_train, 3), value=min(2000, n_train)),
            eval_size: gr.update(maximum=max(n_eval, 2), value=min(500, n_eval)),
            base: gr.update(value=_base_for(dataset_value)),
        }

    def on_upload(path: str | None, current_status: str | None) -> dict:
        cleared = {status: _cleared_warning(current_status)}
        if not path:
            return {**cleared, data_info: "Upload a labelled file and map its columns."}
        try:
            preview = read_upload(path)
        except PlaygroundError as err:
            return {**cleared, data_info: f"⚠️ {err}"}
        n = preview.rows
        updates = dict(
            zip((text_column, pair_column, label_column), column_dropdowns(preview), strict=True)
        )
        return {
            **cleared,
            data_info: preview.describe(),
            **updates,
            # A slider's maximum must exceed its minimum (2 and 1), however small the file.
            train_size: gr.update(maximum=max(n, 3), value=max(2, n * 3 // 4)),
            eval_size: gr.update(maximum=max(n // 2, 2), value=max(1, n // 4)),
        }

    task.change(on_task, task, dataset, api_visibility="private")
    dataset_outputs = [upload_group, data_info, train_size, eval_size, base, status]
    app.load(
        on_dataset, dataset, dataset_outputs, api_visibility="private"
    ).then(_runs_dropdown, outputs=past_runs, api_visibility="private")  # fmt: skip
    dataset.change(on_dataset, [dataset, status], dataset_outputs, api_visibility="private")
    upload.change(
        on_upload, [upload, status],
        [data_info, text_column, label_column, pair_column, train_size, eval_size, status],
        api_visibility="private",
    )  # fmt: skip

    # -- training --------------------------------------------------------------------------------
    live_outputs = [status, estimates, curves, results, notes, confusion, past_runs, job_state]

    def train(values: dict) -> Iterator[dict]:
        try:
            job = start_run(form.config(values))
        except PlaygroundError as err:
            yield {status: f"⚠️ {err}"}
            return
        yield {
            job_state: job,
            status: f"Started: {job.description}",
            results: gr.update(visible=False),
            notes: "",
            confusion: "",
            curves: None,  # a fresh plot: its colours are fixed by the first data it gets
        }
        yield from _follow(job)

    def _follow(job: Job) -> Iterator[dict]:
        while job.running:
            job.wait(POLL_S)
            snap = job.monitor.snapshot()
            table = report.estimates_frame(snap)
            yield {
                status: report.progress_markdown(snap),
                estimates: gr.update(value=table, visible=not table.empty),
                curves: report.curves_frame(snap["methods"]),
            }
        if job.error or job.result is None:
            yield {status: f"⚠️ {job.error or 'Training ended without a result.'}", job_state: None}
            return
        record = job.result.as_dict()
        shown = _show_record(record)
        failed = [m for m in record["methods"] if m["status"] == "failed"]
        word = "Stopped" if record["status"] == "stopped" else "Done"
        text = f"**{word}.** Run `{record['run_id']}` saved in `{record['folder']}`."
        if failed:
            text += " ⚠️ " + "; ".join(f"{m['method']} failed: {m['error']}" for m in failed)
        yield {
            status: text,
            results: gr.update(value=shown["results"], visible=True),
            curves: shown["curves"],
            notes: shown["notes"],
            confusion: shown["confusion"],
            past_runs: _runs_dropdown(),
            job_state: None,
        }

    def stop(job: Job | None) -> str:
        if job is None or not job.running:
            return "Nothing of yours is training."
        job.stop()
        return "Stopping after the current step; finished methods are kept."

    train_button.click(
        train, inputs={*form.components()}, outputs=live_outputs, api_visibility="private",
        concurrency_limit=None,
    )  # fmt: skip
    gr.api(finetune_api, api_name="finetune", concurrency_limit=None)
    stop_button.click(stop, job_state, status, api_visibility="private")

    # -- past runs -----------------------------------------------------------------------------
    def load_run(run_id: str | None) -> Iterator[dict[gr.components.Component, Any]]:
        from models.finetune.runs import load_record

        if not run_id:
            yield {status: "Choose a past run first."}
            return
        try:
            record = load_record(run_id).as_dict()
        except (OSError, ValueError) as err:
            yield {status: f"⚠️ Could not read run {run_id}: {err}"}
            return
        shown = _show_record(record)
        yield {curves: None}  # a fresh plot for this run's methods
        yield {
            status: f"Run `{run_id}` ({record['created']}, {record['status']}); config: "
            f"{record['config']['dataset']}, base `{record['config']['base']}`, "
            f"{record['data']['train_rows']:,} training rows, seed {record['seed']}.",
            results: gr.update(value=shown["results"], visible=True),
            curves: shown["curves"],
            notes: shown["notes"],
            confusion: shown["confusion"],
        }

    refresh_runs.click(_runs_dropdown, outputs=past_runs, api_visibility="private")
    show_run.click(
        load_run, past_runs, [status, results, curves, notes, confusion], api_name="finetune_run"
    )

    # -- sweep -----------------------------------------------------------------------------------
    sweep_job = gr.State(None)

    def sweep(values: dict) -> Iterator[dict]:
        try:
            batches = [int(x) for x in values[sweep_batches].replace(" ", "").split(",") if x]
            rates = [float(x) for x in values[sweep_rates].replace(" ", "").split(",") if x]
        except ValueError:
            yield {
                sweep_status: "⚠️ Write batch sizes and learning rates as comma-separated numbers."
            }
            return
        try:
            config = form.config(values)
            config = FinetuneConfig.from_dict(
                {**config.to_dict(), "train_size": int(values[sweep_rows])}
            )
            job = start_sweep(config, values[sweep_method], batches, rates)
        except PlaygroundError as err:
            yield {sweep_status: f"⚠️ {err}"}
            return
        yield {sweep_job: job, sweep_status: f"Started: {job.description}"}
        while job.running:
            job.wait(POLL_S)
            yield {sweep_status: report.progress_markdown(job.monitor.snapshot())}
        if job.error:
            yield {sweep_status: f"⚠️ {job.error}", sweep_job: None}
            return
        result = job.result
        matrix = heatmap_html(
            result.accuracy,
            [f"bs {b}" for b in result.batch_sizes],
            [f"lr {r:g}" for r in result.learning_rates],
            f"{METHODS[result.method].title}: evaluation accuracy "
            f"({result.train_rows:,} training rows, {result.eval_rows:,} evaluation rows)",
            "batch size \\ learning rate",
            fmt="{:.3f}",
        )
        errors = f" ⚠️ {'; '.join(result.errors)}" if result.errors else ""
        yield {
            sweep_status: f"**Sweep {result.status}.**{errors}",
            sweep_map: matrix,
            sweep_job: None,
        }

    sweep_button.click(
        sweep,
        inputs={*form.components(), sweep_batches, sweep_rates, sweep_method, sweep_rows},
        outputs=[sweep_status, sweep_map, sweep_job],
        api_visibility="private",
    )
    sweep_stop.click(stop, sweep_job, sweep_status, api_visibility="private")
