"""Plain tables and text from a run's live state or record, for the tab (and its tests)."""

from __future__ import annotations

import pandas as pd

from models.finetune.methods import method_title as _title

CURVE_COLUMNS = ["method", "series", "epoch", "step", "loss"]


def curves_frame(methods: dict[str, dict] | list[dict]) -> pd.DataFrame:
    """Long format ``method, series, epoch, step, loss`` for one line per method and loss kind.

    Accepts a monitor snapshot's ``methods`` (name -> state) or a record's ``methods`` list.
    Every method gets a placeholder row per series (loss NaN, not drawn) from the start: a live
    plot fixes its colour legend from the first data it sees, so all series must be there.
    """
    items = methods.items() if isinstance(methods, dict) else ((m["method"], m) for m in methods)
    items = list(items)
    rows = [
        {
            "method": name,
            "series": f"{name} {series}",
            "epoch": 0.0,
            "step": 0,
            "loss": float("nan"),
        }
        for name, _ in items
        for series in ("train", "eval")
    ]
    for name, state in items:
        for point in state.get("history", []):
            for key, series in (("train_loss", "train"), ("eval_loss", "eval")):
                if key in point:
                    rows.append(
                        {
                            "method": name,
                            "series": f"{name} {series}",
                            "epoch": point["epoch"],
                            "step": point["step"],
                            "loss": point[key],
                        }
                    )
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
                    "trainable params": f"{estimate['trainable_params']:,}",
                    "trainable %": round(
                        100 * estimate["trainable_params"] / max(estimate["total_params"], 1), 2
                    ),
                    "est. time (s)": round(estimate["seconds"], 1),
                    "est. peak memory (MB)": round(estimate["memory_mb"]),
                }
            )
    return pd.DataFrame(rows)


def results_frame(record: dict) -> pd.DataFrame:
    """The comparison table: measured values beside the estimates."""
    rows = []
    for m in record["methods"]:
        estimate = m.get("estimate") or {}
        # A method that never trained measured nothing: blank cells, not zeros that read as results.
        ran = m["status"] in ("done", "stopped")
        rows.append(
            {
                "method": _title(m["method"]),
                "status": m["status"],
                "trainable params": f"{m['trainable_params']:,}" if ran else "",
                "trainable %": round(m["trainable_pct"], 2) if ran else None,
                "total params": f"{m['total_params']:,}" if ran else "",
                "time (s)": round(m["wall_s"], 1) if ran else None,
                "est. time (s)": round(estimate["seconds"], 1) if estimate else None,
                "samples/s": round(m["samples_per_s"], 1) if ran else None,
                "peak memory (MB)": round(m["peak_mem_mb"]) if ran else None,
                "est. memory (MB)": round(estimate["memory_mb"]) if estimate else None,
                "checkpoint (MB)": round(m["checkpoint_mb"], 2) if ran else None,
                "accuracy": None if m["eval_accuracy"] is None else round(m["eval_accuracy"], 4),
                "macro-F1": None if m["eval_macro_f1"] is None else round(m["eval_macro_f1"], 4),
                "learning rate": m["learning_rate"],
                "fit": (m.get("fit") or {}).get("verdict", ""),
            }
        )
    return pd.DataFrame(rows)


def fit_markdown(record: dict) -> str:
    """One paragraph per method on under- or over-fitting, read off the curves."""
    lines = []
    for m in record["methods"]:
        fit = m.get("fit") or {}
        if m["status"] not in ("done", "stopped"):  # skipped, failed, interrupted, waiting
            reason = f": {m['error']}" if m.get("error") else ""
            lines.append(f"- **{_title(m['method'])}**: {m['status']}{reason}")
            continue
        label = " (stopped early)" if m["status"] == "stopped" else ""
        lines.append(
            f"- **{_title(m['method'])}**{label}: *{fit.get('verdict', '')}*. {fit.get('note', '')}"
        )
    plan = record.get("plan")
    if plan:
        notes = "; ".join(plan.get("notes", [])) or "as configured"
        lines.append(
            f"\n**Time budget** {plan['budget_s'] / 60:.1f} min bought {plan['train_rows']:,} "
            f"training rows, {plan['epochs']:g} epoch(s), max length {plan['max_length']} "
            f"(estimated {plan['estimated_s'] / 60:.1f} min; {notes})."
        )
    return "\n".join(lines)


def progress_markdown(snapshot: dict) -> str:
    """A status line per method, the phase, and the time left."""
    lines = [f"**{snapshot['phase']}** · {snapshot['elapsed_s']:.0f} s elapsed"]
    eta = snapshot.get("eta_s")
    if eta is not None:
        lines[0] += f" · about {eta / 60:.1f} min left"
    if snapshot.get("stop_requested"):
        lines[0] += " · stopping after the current step…"
    for name, state in snapshot["methods"].items():
        status = state["status"]
        if status == "training" and state["total_steps"]:
            done = state["step"] / state["total_steps"]
            status = f"training, step {state['step']}/{state['total_steps']} ({done:.0%})"
        lines.append(f"- {_title(name)}: {status}")
    return "\n".join(lines)


def runs_choices(records: list) -> list[tuple[str, str]]:
    """(label, run id) for the past-runs dropdown, newest first."""
    choices = []
    for record in records:
        methods = ", ".join(m.method for m in record.methods)
        accuracy = ", ".join(
            f"{m.method} {m.eval_accuracy:.3f}"
            for m in record.methods
            if m.eval_accuracy is not None
        )
        dataset = record.config.get("dataset")
        label = f"{record.created} · {dataset} · {methods} · {accuracy} · {record.status}"
        choices.append((label, record.run_id))
    return choices
