"""A Fine-tuning run as a take-away report (``models.core.report``): its data, settings, seed,
the comparison table and the environment it trained in."""

from __future__ import annotations

from typing import Any

from models.classify.labels import display_label
from models.core.i18n import Text, join
from models.core.report import Report
from models.finetune import report
from models.finetune.methods import method_title
from models.finetune.names import dataset_title, run_title, task_name
from models.finetune.report import status_word

# Settings a reader compares runs by; the rest of the config stays in the run's record.
SETTINGS = ("methods", "base", "epochs", "batch_size", "max_length", "budget_minutes",
            "learning_rates", "lora", "train_size", "eval_size")  # fmt: skip


def _best(record: dict) -> Any:
    scored = [m for m in record["methods"] if m.get("eval_accuracy") is not None]
    if not scored:
        return Text("no method finished", "끝난 방법이 없습니다")
    best = max(scored, key=lambda m: m["eval_accuracy"])
    return Text(
        "{m}: accuracy {a:.3f}, macro-F1 {f:.3f}", "{m}: 정확도 {a:.3f}, 매크로 F1 {f:.3f}",
        m=method_title(best["method"]), a=best["eval_accuracy"],
        f=best.get("eval_macro_f1") or 0.0,
    )  # fmt: skip


def run_report(record: dict, lang: str) -> Report:
    """The report of one run (``RunRecord.as_dict()``), its tables in ``lang``."""
    config, data = record.get("config", {}), record.get("data", {})
    settings = {name: config[name] for name in SETTINGS if config.get(name) not in (None, "", [])}
    if "methods" in settings:
        settings["methods"] = join([method_title(m) for m in settings["methods"]], ", ")
    table = report.localized(report.results_frame(record), lang)
    return Report(
        title=Text("Fine-tuning: {name}", "미세 조정: {name}", name=run_title(record)),
        inputs={
            Text("Dataset", "데이터셋"): dataset_title(config.get("dataset")),
            Text("Task", "작업"): task_name(config.get("task", "")),
            Text("Labels", "레이블"): ", ".join(
                display_label(label, lang) for label in record.get("labels", [])
            ),
            Text("Rows", "행 수"): Text(
                "{train} to train, {eval} to evaluate",
                "학습 {train}개, 평가 {eval}개",
                train=data.get("train", "?"),
                eval=data.get("eval", "?"),
            ),
        },
        outputs={
            Text("Status", "상태"): status_word(record.get("status", "")),
            Text("Best method", "가장 좋은 방법"): _best(record),
        },
        model=config.get("base", ""),
        source=Text("run {id}", "실행 {id}", id=record.get("run_id", "")),
        settings={
            **settings,
            Text("Device it trained on", "학습한 장치"): record.get("device", ""),
            Text("Library versions of the run", "실행 당시 라이브러리"): record.get("versions", ""),
        },
        seed=record.get("seed"),
        tables={
            Text("Measured, per method", "방법별 측정 결과"): table.astype(object).where(
                table.notna(), ""
            )
        },
    )
