"""The Generation tab's side-by-side run as a take-away report (``models.core.report.Report``).

Pure: the input, each column's job (``run.column_job``) and its last ``Generation`` (or the error
it ended with) in; a ``Report`` whose words are ``Text``s out. The API key never goes in.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from models.core.i18n import Text, error_text, join
from models.core.report import Report
from models.generate.backends import BACKENDS, model_name
from models.generate.params import GenerationParams, label
from models.generate.run import Generation

PARAMS = ("temperature", "top_p", "max_new_tokens", "repetition_penalty", "stop")
ROLE, CONTENT = Text("role", "역할"), Text("content", "내용")
ROLES = {"system": Text("system", "시스템"), "user": Text("user", "사용자"),
         "assistant": Text("assistant", "어시스턴트")}  # fmt: skip
MEASURES = {
    "latency_s": Text("Latency (s)", "지연 시간(초)"),
    "ttft_s": Text("Time to first token (s)", "첫 토큰까지 시간(초)"),
    "tokens_per_s": Text("Tokens per second", "초당 토큰 수"),
    "prompt_tokens": Text("Prompt tokens", "프롬프트 토큰 수"),
    "completion_tokens": Text("Completion tokens", "답 토큰 수"),
    "cost_usd": Text("Cost (USD)", "비용(USD)"),
}


def _of(name: str, what: Any, many: bool) -> Any:
    """``what`` of column ``name`` ("Temperature (A)") when the report has two columns."""
    return Text("{what} ({name})", "{what} ({name})", what=what, name=name) if many else what


def _backend(name: str) -> Any:
    return BACKENDS[name].title if name in BACKENDS else name


def _settings(job: dict) -> dict[str, Any]:
    params: GenerationParams = job["params"]
    shown: dict[str, Any] = {
        "technique": job["technique"].name,
        "backend": _backend(job["backend"]),
    }
    if job.get("base_url"):
        shown["base_url"] = job["base_url"]
    for name in PARAMS:
        value = getattr(params, name)
        shown[name] = ", ".join(repr(s) for s in value) if name == "stop" else value
    return shown


SETTING_NAMES = {
    "technique": Text("Prompt technique", "프롬프트 기법"),
    "backend": Text("Backend", "백엔드"),
    "base_url": Text("Base URL", "기본 URL"),
    **{name: label(name) for name in PARAMS},
}


def generation_report(
    text: str, runs: list[tuple[str, dict, Generation | BaseException | None]]
) -> Report | None:
    """One or two configurations run on the same input: each reply, model, settings, seed,
    measurements and the messages sent.

    Args:
        text: the input.
        runs: ``(column name, job, last Generation or the error it ended with)`` per column.

    Returns:
        The report, or None when no column produced a reply (nothing to take away).
    """
    if not any(isinstance(result, Generation) for _, _, result in runs):
        return None
    many = len(runs) > 1
    outputs, settings, metrics, tables = {}, {}, {}, {}
    models, sources, notes, seeds = [], [], [], set()
    for name, job, result in runs:
        reply = Text("Reply", "답")
        seeds.add(job["params"].seed)
        for key, value in _settings(job).items():
            if value not in ("", None):
                settings[_of(name, SETTING_NAMES[key], many)] = value
        if not isinstance(result, Generation):
            failed = error_text(result) if result is not None else Text("no reply", "답 없음")
            outputs[_of(name, reply, many)] = Text("⚠️ {e}", "⚠️ {e}", e=failed)
            continue
        outputs[_of(name, reply, many)] = result.text
        ref = result.model or job["model"]
        named = Text("{name} · `{ref}`", "{name} · `{ref}`", name=model_name(ref), ref=ref)
        models.append(Text("{col}: {m}", "{col}: {m}", col=name, m=named) if many else named)
        source = _backend(result.backend)
        sources.append(Text("{col}: {s}", "{col}: {s}", col=name, s=source) if many else source)
        for key, what in MEASURES.items():
            value = getattr(result, key)
            if value is not None:
                metrics[_of(name, what, many)] = value
        if result.price_note:
            notes.append(_of(name, result.price_note, many))
        if result.json_error:
            notes.append(_of(name, Text("⚠️ {e}", "⚠️ {e}", e=result.json_error), many))
        if result.finish_reason == "length":
            notes.append(_of(name, Text("stopped at max new tokens",
                                        "최대 새 토큰 수에 닿아 멈춤"), many))  # fmt: skip
        if result.finish_reason == "stopped":
            notes.append(_of(name, Text("stopped before the end", "끝나기 전에 중지됨"), many))
        messages = pd.DataFrame(
            [{ROLE: ROLES.get(m.get("role", ""), m.get("role", "")), CONTENT: m.get("content", "")}
             for m in result.messages],
            columns=[ROLE, CONTENT],
        )  # fmt: skip
        tables[_of(name, Text("Messages sent", "보낸 메시지"), many)] = messages
    # One seed for every column is the report's seed; different ones stay in the settings.
    seed = next(iter(seeds)) if len(seeds) == 1 else None
    if seed is None and many:
        for name, job, _ in runs:
            settings[_of(name, label("seed"), many)] = job["params"].seed
    title = (
        Text("Generation: A and B side by side", "생성: A와 B 나란히")
        if many
        else Text("Generation", "생성")
    )
    return Report(
        title=title,
        inputs={Text("Input", "입력"): text},
        outputs=outputs,
        model=join(models, "; "),
        source=join(sources, "; "),
        settings=settings,
        seed=seed,
        metrics=metrics,
        tables=tables,
        notes=notes,
    )
