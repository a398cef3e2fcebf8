"""Plain tables and text from a run's live state or record, for the tab (and its tests).

Column names stay English keys (the take-away report and the tests read them); cells and text are
``Text``s where a person reads them, and ``localized(frame, lang)`` renders a table for the page,
headers included. The comparison's key columns come first, so they are what fits on a screen.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from models.core.i18n import Text, join, localize
from models.finetune.analysis import fit_note
from models.finetune.methods import METHODS
from models.finetune.methods import method_title as _title
from models.finetune.names import method_name, run_title

CURVE_COLUMNS = ["method", "series", "epoch", "step", "loss"]
SERIES = {"train": Text("train", "학습"), "eval": Text("eval", "평가")}
# What a person should see first: which method, how good, how long, how much of it trained.
KEY_COLUMNS = ["method", "accuracy", "macro-F1", "time (s)", "trainable %"]
COLUMNS = {
    "method": Text("method", "방법"),
    "accuracy": Text("accuracy", "정확도"),
    "macro-F1": Text("macro-F1", "매크로 F1"),
    "time (s)": Text("time (s)", "시간(초)"),
    "trainable %": Text("trainable %", "학습 비율 %"),
    "status": Text("status", "상태"),
    "fit": Text("fit", "적합 판정"),
    "trainable params": Text("trainable params", "학습 파라미터 수"),
    "total params": Text("total params", "전체 파라미터 수"),
    "est. time (s)": Text("est. time (s)", "예상 시간(초)"),
    "samples/s": Text("samples/s", "초당 샘플"),
    "peak memory (MB)": Text("peak memory (MB)", "최대 메모리(MB)"),
    "est. memory (MB)": Text("est. memory (MB)", "예상 메모리(MB)"),
    "est. peak memory (MB)": Text("est. peak memory (MB)", "예상 최대 메모리(MB)"),
    "checkpoint (MB)": Text("checkpoint (MB)", "체크포인트(MB)"),
    "learning rate": Text("learning rate", "학습률"),
}
STATUS = {
    "waiting": Text("waiting", "대기"),
    "calibrating": Text("calibrating", "보정 중"),
    "training": Text("training", "학습 중"),
    "evaluating": Text("evaluating", "평가 중"),
    "saving": Text("saving", "저장 중"),
    "choosing weights": Text("choosing weights", "가중치 고르는 중"),
    "done": Text("done", "완료"),
    "stopped": Text("stopped", "멈춤"),
    "failed": Text("failed", "실패"),
    "skipped": Text("skipped", "건너뜀"),
    "interrupted": Text("interrupted", "중단됨"),
    "running": Text("running", "진행 중"),
}
VERDICTS = {
    "over-fitting": Text("over-fitting", "과적합"),
    "under-fitting": Text("under-fitting", "과소적합"),
    "still improving": Text("still improving", "아직 나아지는 중"),
    "good fit": Text("good fit", "알맞은 적합"),
    "too short to tell": Text("too short to tell", "판단하기엔 짧음"),
    "single fit": Text("single fit", "한 번에 적합"),
    "average": Text("average", "평균"),
    "weighted average": Text("weighted average", "가중 평균"),
}


def status_word(status: str) -> Text | str:
    return STATUS.get(status, status)


def localized(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` for the page: headers and every Text cell in ``lang``."""
    shown = frame.rename(columns={c: localize(COLUMNS.get(c, c), lang) for c in frame.columns})
    return shown.map(lambda v: localize(v, lang) if isinstance(v, Text) else v)


def curves_frame(methods: dict[str, dict] | list[dict], lang: str = "en") -> pd.DataFrame:
    """Long format ``method, series, epoch, step, loss`` for one line per method and loss kind.

    Accepts a monitor snapshot's ``methods`` (name -> state) or a record's ``methods`` list.
    Every method gets a placeholder row per series (loss NaN, not drawn) from the start: a live
    plot fixes its colour legend from the first data it sees, so all series must be there.
    ``lang`` names the series ("lora train"; in Korean "LoRA 학습").
    """
    items = methods.items() if isinstance(methods, dict) else ((m["method"], m) for m in methods)
    items = list(items)

    def series(name: str, kind: str) -> str:
        short = name if lang == "en" or name not in METHODS else localize(_title(name), lang)
        return f"{short} {localize(SERIES[kind], lang)}"

    rows = [
        {"method": name, "series": series(name, kind), "epoch": 0.0, "step": 0,
         "loss": float("nan")}
        for name, _ in items
        for kind in ("train", "eval")
    ]  # fmt: skip
    for name, state in items:
        for point in state.get("history", []):
            for key, kind in (("train_loss", "train"), ("eval_loss", "eval")):
                if key in point:
                    rows.append(
                        {"method": name, "series": series(name, kind), "epoch": point["epoch"],
                         "step": point["step"], "loss": point[key]}
                    )  # fmt: skip
    frame = pd.DataFrame(rows, columns=CURVE_COLUMNS)
    # Numeric dtypes even when empty: plots read a column's dtype to choose a quantitative axis.
    return frame.astype({"epoch": float, "step": int, "loss": float})


def estimates_frame(snapshot: dict) -> pd.DataFrame:
    """Per method: the estimate made before training (from the calibration)."""
    rows = []
    for name, state in snapshot["methods"].items():
        estimate = state.get("estimate") or {}
        if estimate:
            rows.append(
                {
                    "method": _title(name),
                    "trainable %": round(
                        100 * estimate["trainable_params"] / max(estimate["total_params"], 1), 2
                    ),
                    "est. time (s)": round(estimate["seconds"], 1),
                    "est. peak memory (MB)": round(estimate["memory_mb"]),
                    "trainable params": f"{estimate['trainable_params']:,}",
                }
            )
    return pd.DataFrame(rows)


def results_frame(record: dict) -> pd.DataFrame:
    """The comparison table: the key columns first, then the rest and the estimates beside."""
    rows = []
    for m in record["methods"]:
        estimate = m.get("estimate") or {}
        # A method that never trained measured nothing: blank cells, not zeros that read as results.
        ran = m["status"] in ("done", "stopped")
        verdict = (m.get("fit") or {}).get("verdict", "")
        rows.append(
            {
                "method": _title(m["method"]),
                "accuracy": None if m["eval_accuracy"] is None else round(m["eval_accuracy"], 4),
                "macro-F1": None if m["eval_macro_f1"] is None else round(m["eval_macro_f1"], 4),
                "time (s)": round(m["wall_s"], 1) if ran else None,
                "trainable %": round(m["trainable_pct"], 2) if ran else None,
                "status": status_word(m["status"]),
                "fit": VERDICTS.get(verdict, verdict),
                "trainable params": f"{m['trainable_params']:,}" if ran else "",
                "total params": f"{m['total_params']:,}" if ran else "",
                "est. time (s)": round(estimate["seconds"], 1) if estimate else None,
                "samples/s": round(m["samples_per_s"], 1) if ran else None,
                "peak memory (MB)": round(m["peak_mem_mb"]) if ran else None,
                "est. memory (MB)": round(estimate["memory_mb"]) if estimate else None,
                "checkpoint (MB)": round(m["checkpoint_mb"], 2) if ran else None,
                "learning rate": m["learning_rate"],
            }
        )
    return pd.DataFrame(rows)


def _note(m: dict, n_labels: int) -> Any:
    """A method's fit note; a record read from disk holds English, so the curves are read again."""
    fit = m.get("fit") or {}
    note = fit.get("note", "")
    if isinstance(note, Text) or fit.get("verdict") not in VERDICTS or not m.get("history"):
        return note
    again = fit_note(m["history"], m["eval_accuracy"], n_labels)
    if again["verdict"] != fit.get("verdict"):
        return note  # not what was recorded: show the record's own words
    if "The time budget ended training" in note:
        again["note"] = join([again["note"], budget_cut(m["steps_done"], m["steps_total"])], " ")
    return again["note"]


def budget_cut(done: int, total: int) -> Text:
    return Text(
        "The time budget ended training after {done} of {total} planned steps.",
        "시간 예산 때문에 계획한 {total}스텝 중 {done}스텝에서 학습을 끝냈습니다.",
        done=done, total=total,
    )  # fmt: skip


def fit_markdown(record: dict) -> Text:
    """One paragraph per method on under- or over-fitting, read off the curves."""
    lines: list[Any] = []
    n_labels = len(record.get("labels") or [])
    for m in record["methods"]:
        fit = m.get("fit") or {}
        title = _title(m["method"])
        if m["status"] not in ("done", "stopped"):  # skipped, failed, interrupted, waiting
            reason = Text(": {e}", ": {e}", e=m["error"]) if m.get("error") else ""
            lines.append(
                Text("- **{t}**: {s}{r}", "- **{t}**: {s}{r}", t=title,
                     s=status_word(m["status"]), r=reason)
            )  # fmt: skip
            continue
        early = Text(" (stopped early)", " (일찍 멈춤)") if m["status"] == "stopped" else ""
        verdict = fit.get("verdict", "")
        lines.append(
            Text("- **{t}**{e}: *{v}*. {n}", "- **{t}**{e}: *{v}*. {n}", t=title, e=early,
                 v=VERDICTS.get(verdict, verdict), n=_note(m, n_labels))
        )  # fmt: skip
    plan = record.get("plan")
    if plan:
        notes = join(plan.get("notes", []), "; ") if plan.get("notes") else ""
        lines.append(
            Text(
                "\n**Time budget** {b:.1f} min bought {rows:,} training rows, {e:g} epoch(s), "
                "max length {L} (estimated {m:.1f} min; {notes}).",
                "\n**시간 예산** {b:.1f}분으로 학습 행 {rows:,}개, {e:g}에폭, 최대 길이 {L}을(를) "
                "정했습니다(예상 {m:.1f}분; {notes}).",
                b=plan["budget_s"] / 60, rows=plan["train_rows"], e=plan["epochs"],
                L=plan["max_length"], m=plan["estimated_s"] / 60,
                notes=notes or Text("as configured", "설정대로"),
            )
        )  # fmt: skip
    return join(lines, "\n")


def step_line(step: int, total: int) -> Text:
    """ "step 4/10 (40%)": never more steps done than planned, never past 100%."""
    total = max(total, step)  # the plan was an estimate: the count is the truth
    return Text(
        "training, step {s}/{t} ({p:.0%})", "학습 중, {s}/{t}스텝({p:.0%})",
        s=step, t=total, p=step / total if total else 0.0,
    )  # fmt: skip


def progress_markdown(snapshot: dict) -> Text:
    """A status line per method, the phase, and the time left."""
    head = [Text("**{p}** · {s:.0f} s elapsed", "**{p}** · {s:.0f}초 지남",
                 p=snapshot["phase"], s=snapshot["elapsed_s"])]  # fmt: skip
    eta = snapshot.get("eta_s")
    if eta is not None:
        head.append(Text("about {m:.1f} min left", "약 {m:.1f}분 남음", m=eta / 60))
    if snapshot.get("stop_requested"):
        head.append(Text("stopping after the current step…", "현재 스텝 뒤에 멈추는 중…"))
    lines = [join(head, " · ")]
    for name, state in snapshot["methods"].items():
        status: Any = status_word(state["status"])
        if state["status"] == "training" and state["total_steps"]:
            status = step_line(state["step"], state["total_steps"])
        lines.append(Text("- {m}: {s}", "- {m}: {s}", m=_title(name), s=status))
    return join(lines, "\n")


def run_label(record: Any) -> Text:
    """A past run's plain name; a run that did not end well says how it ended."""
    title = run_title(record)
    if record.status == "done":
        return title
    if record.status != "interrupted":
        return Text("{t} ({s})", "{t}({s})", t=title, s=status_word(record.status))
    kept = [m.method for m in record.methods if m.status in ("done", "stopped")]
    lost = [m.method for m in record.methods if m.status == "interrupted"]
    nothing = Text("nothing", "없음")
    return Text(
        "{t} (interrupted: {k} kept; {l} lost)", "{t}(중단됨: {k} 남음; {l} 잃음)", t=title,
        k=join([method_name(m) for m in kept], ", ") if kept else nothing,
        l=join([method_name(m) for m in lost], ", ") if lost else nothing,
    )  # fmt: skip


def runs_choices(records: list) -> list[tuple[Text, str]]:
    """(plain name, run id) for the past-runs dropdown, newest first; folders are for details."""
    return [(run_label(record), record.run_id) for record in records]
