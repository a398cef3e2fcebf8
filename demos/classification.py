"""The Classification tab: sentiment, NLI and intent; scores, word attributions, evaluation.

A thin UI over ``models.classify`` (predictions), ``models.explain`` (occlusion),
``models.robustness`` (probes) and ``models.evaluate`` (metrics).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from demos.widgets import column_dropdowns, heatmap_html, read_upload
from models import catalog
from models.classify import NLI_PREFIX, ZERO_SHOT, classify, get_classifier
from models.errors import PlaygroundError
from models.finetune.methods import METHODS
from models.settings import get_settings
from models.zero_shot import detect_language

POLL_S = 1.0
# Runs whose checkpoint is a transformers classifier, so it can judge entailment for zero-shot.
ENTAILMENT_METHODS = {name for name, method in METHODS.items() if method.trainer}
AUTO = "auto"
EXAMPLES = {
    "sentiment": [
        ["이 영화 진짜 재밌다 ㅋㅋ 배우들 연기도 최고", ""],
        ["시간 아깝다... 스토리도 엉망이고 지루함", ""],
        ["A warm, funny and beautifully acted film.", ""],
        ["The plot is a mess and the jokes fall flat.", ""],
    ],
    "nli": [
        ["한 남자가 공원에서 개와 함께 달리고 있다.", "남자가 밖에 있다."],
        ["한 남자가 공원에서 개와 함께 달리고 있다.", "남자가 집에서 자고 있다."],
        ["여자가 카페에서 책을 읽고 있다.", "여자는 학생이다."],
    ],
    "intent": [
        ["Add this song to my workout playlist", ""],
        ["Will it rain in Seoul tomorrow?", ""],
        ["Book a table for four at an Italian restaurant tonight", ""],
        ["Play some jazz by Miles Davis", ""],
    ],
}
# probe, text, [hypothesis,] prediction, score, verdict, note: the texts get the room.
PROBE_WIDTHS = ["13%", "38%", "11%", "7%", "13%", "18%"]
PROBE_WIDTHS_NLI = ["12%", "26%", "18%", "11%", "6%", "12%", "15%"]
# Misclassified rows: text, [hypothesis,] true, predicted, confidence.
ERROR_WIDTHS = ["61%", "14%", "14%", "11%"]
ERROR_WIDTHS_NLI = ["36%", "28%", "13%", "13%", "10%"]
EVAL_DATASETS = {
    "sentiment": ["nsmc", "vader"],
    "nli": ["kornli"],
    "intent": ["snips", "clinc150", "banking77"],
}


def model_choices(task: str) -> list[tuple[str, str]]:
    """Dropdown entries: auto, zero-shot, this app's runs for the task, Hub defaults."""
    from models.finetune.runs import saved_classifiers

    choices = [("auto: the task's default", AUTO), ("zero-shot: embedding similarity", ZERO_SHOT)]
    nli_runs = []
    for saved in saved_classifiers():
        accuracy = f", acc {saved['accuracy']:.3f}" if saved["accuracy"] is not None else ""
        stopped = " · stopped early" if saved["status"] == "stopped" else ""
        label = f"run {saved['run_id']} · {saved['method']} · {saved['dataset']}{accuracy}{stopped}"
        if saved["task"] == task:
            choices.append((label, saved["path"]))
        if saved["task"] == "nli" and task != "nli" and saved["method"] in ENTAILMENT_METHODS:
            nli_runs.append((f"zero-shot by entailment with {label}", NLI_PREFIX + saved["path"]))
    defaults = catalog.task_defaults()
    # Offline, Hub models stay listed (the settings file names them) but say what they need.
    needs = " (needs the Hub: offline now)" if get_settings().hub_offline else ""
    for key in default_keys(task):
        if defaults[key].hub:
            choices.append((f"Hub: {defaults[key].hub}{needs}", defaults[key].hub))
    if task != "nli":
        choices.extend(nli_runs)
        if defaults["nli"].hub:
            hub = defaults["nli"].hub
            choices.append((f"zero-shot by entailment with {hub}{needs}", NLI_PREFIX + hub))
    return choices


def model_status(task: str, model: str) -> str:
    """What will classify, where it comes from, and whether a trained default exists."""
    if model != AUTO:
        return f"Model: `{model}`."
    train = "Press *Train the default model* to train one offline (about 3 minutes)."
    lines = []
    for key in default_keys(task):
        choice = catalog.choose_model(key)
        if choice.mode == "zero-shot":
            lines.append(
                f"**No trained model for {choice.title} yet**: zero-shot is used meanwhile, "
                f"with `{choice.ref}` ({choice.where}). {train}"
            )
        elif choice.mode == "unavailable":
            lines.append(
                f"**No trained model for {choice.title} yet**, and its zero-shot model "
                f"`{choice.ref}` cannot be loaded: {choice.where} {train}"
            )
        else:
            lines.append(f"**{choice.title}**: `{choice.ref}` ({choice.mode}; {choice.where}).")
    return "\n\n".join(lines)


def default_keys(task: str) -> list[str]:
    """The defaults a task has: sentiment has one per language."""
    return ["sentiment-ko", "sentiment-en"] if task == "sentiment" else [task]


def default_choices(task: str) -> list[tuple[str, str]]:
    defaults = catalog.task_defaults()
    return [(f"{defaults[k].title}: {defaults[k].dataset}", k) for k in default_keys(task)]


def _labels(text: str) -> list[str] | None:
    labels = [label.strip() for label in (text or "").split(",") if label.strip()]
    return labels or None


def _download(frame: pd.DataFrame, stem: str) -> str:
    folder = Path(tempfile.mkdtemp(prefix="playground-"))
    path = folder / f"{stem}.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")  # BOM: Excel opens Korean correctly
    return str(path)


def classify_api(
    text: str, task: str = "sentiment", text_pair: str = "", model: str = AUTO, labels: str = ""
) -> dict:
    """Classify one text (NLI: premise + hypothesis).

    Args:
        text: the sentence (the premise for NLI).
        task: sentiment, nli or intent.
        text_pair: the hypothesis, for NLI.
        model: auto, zero-shot, zero-shot-nli:<NLI model>, or a model reference.
        labels: comma-separated labels for zero-shot (default: the task's usual labels).

    Returns:
        {"label", "scores", "model", "mode", "source", "notice"} or {"error": message}.
    """
    try:
        prediction = classify(task, text, text_pair or None, model or AUTO, _labels(labels))
    except PlaygroundError as err:
        return {"error": str(err)}
    return {
        "label": prediction.label,
        "scores": prediction.scores,
        "model": prediction.model,
        "mode": prediction.mode,
        "source": prediction.source,
        "notice": prediction.notice,
    }


def evaluate_api(
    task: str, dataset: str, split: str = "test", model: str = AUTO, limit: int | None = None
) -> dict:
    """Evaluate on a registered dataset (the same numbers as the tab and the command line).

    Returns:
        {"accuracy", "macro_f1", "per_class", "labels", "confusion_matrix", "n", ...} or
        {"error": message}.
    """
    from models.evaluate import evaluate

    try:
        return evaluate(task, dataset, split, model or AUTO, limit).metrics()
    except PlaygroundError as err:
        return {"error": str(err)}


def create_classification_tab(app: gr.Blocks) -> None:
    """Build the tab and wire its events."""
    gr.Markdown(
        "Classify Korean or English text: **sentiment**, **NLI** (does the premise entail the "
        "hypothesis?) and **intent**. See the label scores, which words drove the decision, how "
        "the model copes with small rewrites, and how it does on a whole labelled set."
    )
    with gr.Row():
        task = gr.Radio(["sentiment", "nli", "intent"], value="sentiment", label="Task", scale=2)
        model = gr.Dropdown(
            model_choices("sentiment"), value=AUTO, label="Model", allow_custom_value=True,
            scale=4, info="Or type a Hub id / local folder of a sequence classifier",
            elem_id="cls-model",
        )  # fmt: skip
        refresh = gr.Button("↻", scale=0, min_width=50)
    status = gr.Markdown(elem_id="cls-status")
    with gr.Row():
        default_key = gr.Dropdown(
            default_choices("sentiment"), value="sentiment-ko", label="Default to train",
            scale=2, elem_id="cls-default-key",
        )  # fmt: skip
        budget = gr.Number(3, label="Budget (minutes)", scale=1, elem_id="cls-budget")
        with gr.Column(scale=2, min_width=160):
            train_default = gr.Button("Train the default model", elem_id="cls-train-default")
            stop_default = gr.Button("Stop", variant="stop", size="sm", elem_id="cls-stop-default")
    train_status = gr.Markdown(elem_id="cls-train-status")
    labels = gr.Textbox(
        label="Zero-shot labels (comma-separated; empty: the task's usual labels)",
        placeholder="e.g. sports, politics, technology",
        visible=False,
    )

    with gr.Tabs():
        with gr.Tab("Try it"):
            with gr.Row():
                with gr.Column():
                    text = gr.Textbox(label="Text", lines=3, elem_id="cls-text")
                    text_pair = gr.Textbox(
                        label="Hypothesis", lines=2, visible=False, elem_id="cls-pair"
                    )
                    with gr.Row():
                        classify_button = gr.Button("Classify", variant="primary", elem_id="cls-go")
                        probe_button = gr.Button("Probe robustness", elem_id="cls-probe")
                    examples = gr.Dataset(
                        components=[text], samples=[[t] for t, _ in EXAMPLES["sentiment"]],
                        label="Examples (click one)",
                    )  # fmt: skip
                    nli_examples = gr.Dataset(
                        components=[text, text_pair], samples=EXAMPLES["nli"],
                        label="Examples (click one)", visible=False,
                    )  # fmt: skip
                with gr.Column():
                    scores = gr.Label(
                        label="Label scores", num_top_classes=10, elem_id="cls-scores"
                    )
                    notice = gr.Markdown(elem_id="cls-notice")
                    attribution = gr.HighlightedText(
                        label="Which words drove the decision", elem_id="cls-words",
                        show_legend=False, combine_adjacent=False,
                    )  # fmt: skip
                    how_to_read = gr.Markdown()
            probes = gr.Dataframe(
                label="Robustness probe: small rewrites of the input", interactive=False,
                visible=False, wrap=True, elem_id="cls-probes",
            )  # fmt: skip
        with gr.Tab("Batch file"):
            gr.Markdown("Classify every row of a CSV / TSV / JSONL and download the result.")
            batch_file = gr.File(
                label="File", file_types=[".csv", ".tsv", ".txt", ".jsonl", ".json"]
            )
            with gr.Row():
                batch_text = gr.Dropdown(label="Text column", choices=[], allow_custom_value=True)
                batch_pair = gr.Dropdown(
                    label="Hypothesis column (NLI)", choices=[], allow_custom_value=True
                )
            batch_button = gr.Button("Classify the file", elem_id="cls-batch-go")
            batch_status = gr.Markdown()
            batch_preview = gr.Dataframe(label="Preview (first 50 rows)", interactive=False)
            batch_download = gr.File(label="Result (CSV)")
        with gr.Tab("Evaluate"):
            gr.Markdown(
                "Accuracy alone can hide a model that misses the cases that matter: look at "
                "per-class recall, the confusion matrix and the misclassified rows."
            )
            with gr.Row():
                eval_dataset = gr.Dropdown(
                    EVAL_DATASETS["sentiment"] + ["upload"], value="nsmc", label="Dataset",
                    elem_id="cls-eval-dataset",
                )  # fmt: skip
                eval_split = gr.Dropdown(["test", "validation"], value="test", label="Split")
                eval_limit = gr.Slider(20, 5000, value=500, step=10, label="Sample size (rows)")
            with gr.Group(visible=False) as eval_upload_group:
                eval_file = gr.File(label="Labelled CSV / TSV / JSONL")
                with gr.Row():
                    eval_text = gr.Dropdown(
                        label="Text column", choices=[], allow_custom_value=True
                    )
                    eval_pair = gr.Dropdown(
                        label="Hypothesis column (NLI)", choices=[], allow_custom_value=True
                    )
                    eval_label = gr.Dropdown(
                        label="Label column", choices=[], allow_custom_value=True
                    )
            eval_button = gr.Button("Evaluate", variant="primary", elem_id="cls-eval-go")
            eval_summary = gr.Markdown(elem_id="cls-eval-summary")
            # Stacked, not side by side: a 7-class matrix needs the whole width.
            per_class = gr.Dataframe(label="Per class", interactive=False, elem_id="cls-per-class")
            confusion = gr.HTML(elem_id="cls-confusion")
            with gr.Group(visible=False) as threshold_group:
                threshold = gr.Slider(
                    0.0, 1.0, value=0.5, step=0.01, elem_id="cls-threshold",
                    label="Decision threshold for the positive class",
                )  # fmt: skip
                threshold_text = gr.Markdown(elem_id="cls-threshold-text")
                threshold_plot = gr.LinePlot(
                    x="threshold", y="value", color="metric", y_lim=[0, 1],
                    label="Precision and recall of the positive class vs threshold",
                )  # fmt: skip
            with gr.Row():
                true_filter = gr.Dropdown(["(any)"], value="(any)", label="True class")
                predicted_filter = gr.Dropdown(["(any)"], value="(any)", label="Predicted class")
            misclassified = gr.Dataframe(
                label="Misclassified rows", interactive=False, wrap=True, elem_id="cls-errors"
            )
            report_state = gr.State(None)

    eval_outputs = [
        eval_summary, per_class, confusion, threshold_group, threshold, threshold_text,
        threshold_plot, true_filter, predicted_filter, misclassified, report_state,
    ]  # fmt: skip

    def cleared_evaluation(summary: str = "") -> dict:
        """Empty evaluation outputs, so an error or a new task never sits above old results."""
        return {
            eval_summary: summary, per_class: None, confusion: "",
            threshold_group: gr.update(visible=False), threshold: 0.5, threshold_text: "",
            threshold_plot: None, true_filter: gr.update(choices=["(any)"], value="(any)"),
            predicted_filter: gr.update(choices=["(any)"], value="(any)"), misclassified: None,
            report_state: None,
        }  # fmt: skip

    # -- model and task ------------------------------------------------------------------------
    def on_task(task_value: str) -> dict:
        datasets = EVAL_DATASETS[task_value]
        key = default_keys(task_value)[0]
        return {
            model: gr.update(choices=model_choices(task_value), value=AUTO),
            text: gr.update(label="Premise" if task_value == "nli" else "Text"),
            text_pair: gr.update(visible=task_value == "nli"),
            examples: gr.update(
                samples=[[t] for t, _ in EXAMPLES[task_value]], visible=task_value != "nli"
            ),
            nli_examples: gr.update(visible=task_value == "nli"),
            default_key: gr.update(choices=default_choices(task_value), value=key),
            eval_dataset: gr.update(choices=[*datasets, "upload"], value=datasets[0]),
            status: model_status(task_value, AUTO),
            attribution: None,
            scores: None,
            notice: "",
            how_to_read: "",
            probes: gr.update(visible=False),
            **cleared_evaluation(),
        }

    def on_model(task_value: str, model_value: str) -> dict:
        zero = model_value == ZERO_SHOT or (model_value or "").startswith(NLI_PREFIX)
        return {
            labels: gr.update(visible=zero and task_value != "nli"),
            status: model_status(task_value, model_value or AUTO),
        }

    task.change(
        on_task, task,
        [model, text, text_pair, examples, nli_examples, default_key, eval_dataset, status,
         attribution, scores, notice, how_to_read, probes, *eval_outputs],
        api_visibility="private",
    )  # fmt: skip
    model.change(on_model, [task, model], [labels, status], api_visibility="private")
    refresh.click(
        lambda t: gr.update(choices=model_choices(t)), task, model, api_visibility="private"
    )
    app.load(lambda t: model_status(t, AUTO), task, status, api_visibility="private")
    examples.click(lambda sample: sample[0], examples, text, api_visibility="private")
    nli_examples.click(
        lambda sample: sample, nli_examples, [text, text_pair], api_visibility="private"
    )

    # -- one input -----------------------------------------------------------------------------
    def run_classify(
        task_value: str, model_value: str, text_value: str, pair: str, label_text: str
    ) -> dict:
        from models.explain import occlusion

        try:
            prediction = classify(
                task_value, text_value, pair, model_value or AUTO, _labels(label_text)
            )
            classifier = get_classifier(
                task_value, model_value or AUTO, _labels(label_text), prediction.language
            )
            explained = occlusion(
                classifier, text_value.strip(), pair.strip() if task_value == "nli" else None
            )
        except PlaygroundError as err:
            return {notice: f"⚠️ {err}", scores: None, attribution: None, how_to_read: ""}
        # The source line starts with the model's reference: name it once.
        info = f"Model ({prediction.mode}): {prediction.source}"
        if prediction.notice:
            info = f"✂️ {prediction.notice}\n\n{info}"
        return {
            scores: prediction.scores,
            notice: info,
            attribution: explained.spans,
            how_to_read: explained.how_to_read,
        }

    classify_button.click(
        run_classify, [task, model, text, text_pair, labels],
        [scores, notice, attribution, how_to_read], api_visibility="private",
    )  # fmt: skip
    gr.api(classify_api, api_name="classify")

    def run_probe(
        task_value: str, model_value: str, text_value: str, pair: str, label_text: str
    ) -> dict:
        from models.classify import check_input
        from models.robustness import run_probes

        try:
            check_input(task_value, text_value, pair)
            language = detect_language(text_value)
            classifier = get_classifier(
                task_value, model_value or AUTO, _labels(label_text), language
            )

            def predict(texts: list[str], pairs: list[str] | None) -> list[tuple[str, float]]:
                probs, _ = classifier.predict_proba(texts, pairs)
                return [(classifier.labels[int(p.argmax())], float(p.max())) for p in probs]

            hypothesis = pair.strip() if task_value == "nli" else None
            rows = run_probes(text_value.strip(), predict, task_value, hypothesis)
        except PlaygroundError as err:
            return {notice: f"⚠️ {err}", probes: gr.update(visible=False)}
        # "flipped" stays in the rows for programs; the verdict says it for people.
        table = pd.DataFrame(rows).drop(columns="flipped")
        widths = PROBE_WIDTHS_NLI if hypothesis is not None else PROBE_WIDTHS
        return {
            notice: f"Probed with ({classifier.mode}): {classifier.description}",
            probes: gr.update(value=table, visible=True, column_widths=widths),
        }

    probe_button.click(
        run_probe, [task, model, text, text_pair, labels], [notice, probes],
        api_visibility="private",
    )  # fmt: skip

    # -- a whole file --------------------------------------------------------------------------
    def on_batch_file(path: str | None) -> dict:
        no_columns = gr.update(choices=[], value=None)
        cleared = {
            batch_preview: None, batch_download: None, batch_text: no_columns,
            batch_pair: no_columns,
        }  # fmt: skip
        if not path:
            return {batch_status: "", **cleared}
        try:
            preview = read_upload(path)
        except PlaygroundError as err:
            return {batch_status: f"⚠️ {err}", **cleared}
        text_update, pair_update, _ = column_dropdowns(preview)
        return {
            **cleared,
            batch_status: preview.describe(),
            batch_text: text_update,
            batch_pair: pair_update,
        }

    def run_batch(
        task_value: str,
        model_value: str,
        label_text: str,
        path: str | None,
        column: str,
        pair_column: str,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> dict:
        from models.batch import classify_table
        from models.datasets.upload import ColumnMapping, read_table
        from models.settings import get_settings

        if not path:
            return {batch_status: "⚠️ Upload a file first."}
        try:
            table = read_table(path, get_settings().max_upload_rows)
            mapping = ColumnMapping(text=column, text_pair=pair_column or None)
            progress(0.0, desc=f"Classifying {len(table):,} rows")
            result = classify_table(
                table, mapping, task_value, model_value or AUTO, _labels(label_text),
                _rows_progress(progress),
            )  # fmt: skip
        except PlaygroundError as err:
            return {batch_status: f"⚠️ {err}", batch_preview: None, batch_download: None}
        return {
            batch_status: result.describe(),
            batch_preview: result.frame.head(50),
            batch_download: _download(result.frame, "classified"),
        }

    batch_file.change(
        on_batch_file, batch_file,
        [batch_status, batch_text, batch_pair, batch_preview, batch_download],
        api_visibility="private",
    )  # fmt: skip
    batch_button.click(
        run_batch, [task, model, labels, batch_file, batch_text, batch_pair],
        [batch_status, batch_preview, batch_download], api_visibility="private",
    )  # fmt: skip

    # -- evaluation ----------------------------------------------------------------------------
    def on_eval_dataset(name: str) -> dict:
        return {eval_upload_group: gr.update(visible=name == "upload")}

    def on_eval_file(path: str | None) -> dict:
        if not path:
            return cleared_evaluation()
        try:
            preview = read_upload(path)
        except PlaygroundError as err:
            return cleared_evaluation(f"⚠️ {err}")
        updates = dict(
            zip((eval_text, eval_pair, eval_label), column_dropdowns(preview), strict=True)
        )
        return {**cleared_evaluation(preview.describe()), **updates}

    eval_dataset.change(on_eval_dataset, eval_dataset, eval_upload_group, api_visibility="private")
    eval_file.change(
        on_eval_file, eval_file, [*eval_outputs, eval_text, eval_pair, eval_label],
        api_visibility="private",
    )  # fmt: skip

    def run_evaluate(
        task_value: str, model_value: str, name: str, split: str, limit: float,
        path: str | None, text_column: str, pair_column: str, label_column: str,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> dict:  # fmt: skip
        from models.datasets.sampling import sample_rows
        from models.datasets.upload import ColumnMapping, apply_mapping, read_table
        from models.evaluate import evaluate, evaluate_frame, threshold_curve
        from models.settings import get_settings

        progress(0.0, desc="Loading the data and the model")
        report_progress = _rows_progress(progress)
        try:
            if name == "upload":
                if not path:
                    raise PlaygroundError("Upload a labelled file first.")
                table = read_table(path, get_settings().max_upload_rows)
                mapping = ColumnMapping(text_column, label_column or None, pair_column or None)
                frame = apply_mapping(table, mapping, need_label=True)
                frame = sample_rows(frame, min(int(limit), len(frame)), 0)
                language = detect_language(" ".join(frame["text"].head(20)))
                report = evaluate_frame(
                    frame, task_value, model_value or AUTO, language, progress=report_progress
                )
            else:
                report = evaluate(
                    task_value, name, split, model_value or AUTO, int(limit),
                    progress=report_progress,
                )  # fmt: skip
        except PlaygroundError as err:
            return cleared_evaluation(f"⚠️ {err}")
        where = "the uploaded file" if name == "upload" else f"{report.dataset}/{report.split}"
        summary = (
            f"**Accuracy {report.accuracy:.4f}** · **macro-F1 {report.macro_f1:.4f}** on "
            f"{report.n:,} rows of {where}. Model: "
            f"`{report.model}` ({report.mode})."
        )
        if report.note:
            summary += f"\n\n{report.note}"
        table = pd.DataFrame(
            [{"class": label, **m} for label, m in report.per_class.items()]
        ).round(4)
        matrix = heatmap_html(
            report.confusion_matrix, report.labels, report.labels, "Confusion matrix",
            "true \\ predicted",
        )  # fmt: skip
        binary = report.positive_label is not None and "positive_score" in report.rows[0]
        classes = ["(any)", *report.labels]
        return {
            eval_summary: summary,
            per_class: table,
            confusion: matrix,
            threshold_group: gr.update(visible=binary),
            threshold: 0.5,
            threshold_text: _threshold_text(report.rows, report.positive_label, 0.5)
            if binary
            else "",
            threshold_plot: threshold_curve(report.rows, report.positive_label) if binary else None,
            true_filter: gr.update(choices=classes, value="(any)"),
            predicted_filter: gr.update(choices=classes, value="(any)"),
            misclassified: gr.update(
                value=_errors(report.rows, "(any)", "(any)"),
                column_widths=ERROR_WIDTHS_NLI if report.task == "nli" else ERROR_WIDTHS,
            ),
            report_state: report,
        }

    eval_button.click(
        run_evaluate,
        [task, model, eval_dataset, eval_split, eval_limit, eval_file, eval_text, eval_pair,
         eval_label],
        eval_outputs, api_visibility="private",
    )  # fmt: skip
    gr.api(evaluate_api, api_name="evaluate")

    def on_filter(report: Any, true_value: str, predicted_value: str) -> pd.DataFrame | None:
        return None if report is None else _errors(report.rows, true_value, predicted_value)

    for control in (true_filter, predicted_filter):
        control.change(
            on_filter, [report_state, true_filter, predicted_filter], misclassified,
            api_visibility="private",
        )  # fmt: skip

    def on_threshold(report: Any, value: float) -> str:
        if report is None or report.positive_label is None:
            return ""
        return _threshold_text(report.rows, report.positive_label, value)

    threshold.change(
        on_threshold, [report_state, threshold], threshold_text, api_visibility="private"
    )

    # -- train the default for this task -------------------------------------------------------
    default_job = gr.State(None)

    def run_train_default(task_value: str, key: str, minutes: float | None) -> Iterator[dict]:
        from models.finetune.defaults import default_result, recipe_config, train_default
        from models.finetune.jobs import start_job
        from models.finetune.monitor import Monitor
        from models.finetune.report import progress_markdown

        try:
            if key not in default_keys(task_value):
                raise PlaygroundError(f"Choose which default of {task_value} to train.")
            if minutes is None:
                raise PlaygroundError("Type a budget in minutes (3 is the recipe's).")
            config = recipe_config(key, float(minutes))
            config.check()
            monitor = Monitor(config.methods)
            job = start_job(
                f"default model for {key} ({config.budget_minutes:g} min)", monitor,
                lambda m: train_default(key, config.budget_minutes, monitor=m),
            )  # fmt: skip
        except PlaygroundError as err:
            yield {train_status: f"⚠️ {err}"}
            return
        yield {default_job: job, train_status: f"Training the default for {key}…"}
        while job.running:
            job.wait(POLL_S)
            yield {train_status: progress_markdown(job.monitor.snapshot())}
        if job.error:
            yield {train_status: f"⚠️ {job.error}", default_job: None}
            return
        result = default_result(job.result)
        if result.status != "done":
            why = "stopped" if job.monitor.stop_requested else (result.error or result.status)
            yield {
                train_status: f"⚠️ Training {why}: the default for {key} is unchanged.",
                default_job: None,
            }
            return
        yield {
            train_status: f"Done: validation accuracy {result.eval_accuracy:.3f}; it is now the "
            f"default for {key}.",
            status: model_status(task_value, AUTO),
            model: gr.update(choices=model_choices(task_value), value=AUTO),
            default_job: None,
        }

    train_default.click(
        run_train_default, [task, default_key, budget],
        [train_status, status, model, default_job], api_visibility="private",
    )  # fmt: skip

    def stop_training(job: Any) -> str:
        if job is None or not job.running:
            return "Nothing is training from this tab."
        job.stop()
        return "Stopping after the current step…"

    stop_default.click(stop_training, default_job, train_status, api_visibility="private")


def _rows_progress(progress: gr.Progress) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        progress(done / total, desc=f"Classified {done:,} of {total:,} rows")

    return report


def _errors(rows: list[dict], true_value: str, predicted_value: str) -> pd.DataFrame:
    wrong = [r for r in rows if r["true"] != r["predicted"]]
    if true_value != "(any)":
        wrong = [r for r in wrong if r["true"] == true_value]
    if predicted_value != "(any)":
        wrong = [r for r in wrong if r["predicted"] == predicted_value]
    pair = ["text_pair"] if rows and "text_pair" in rows[0] else []
    columns = ["text", *pair, "true", "predicted", "confidence"]
    frame = pd.DataFrame(wrong, columns=columns)
    return frame.round({"confidence": 3})


def _threshold_text(rows: list[dict], positive: str, value: float) -> str:
    from models.evaluate import threshold_metrics

    m = threshold_metrics(rows, positive, value)
    precision = "n/a" if m["precision"] is None else f"{m['precision']:.3f}"
    return (
        f"Predicting **{positive}** when its probability ≥ {value:.2f}: precision "
        f"{precision}, recall {m['recall']:.3f}, F1 {m['f1']:.3f}, accuracy "
        f"{m['accuracy']:.3f} ({m['predicted_positive']} of {len(rows)} rows called {positive}). "
        "A higher threshold trades recall for precision."
    )
