"""What the encoder fine-tuning section shows, as plain data in the page's language: the live
progress, the loss curves, how a run ended and its comparison table.

Pure functions of a monitor snapshot, a job or a record, and a language; the tests call them
without a page.
"""

from __future__ import annotations

import pandas as pd

from demos.rank.views import failure
from models.core.i18n import Text, localize
from models.core.jobs import Job, running_job
from models.rank.compare import comparison_rows
from models.rank.encoders import STATUSES, TuneRecord, method_name

KIND = "rank-tune"  # the kind of job this section starts and follows (``models.core.jobs``)
STARTING = Text("Starting", "시작하는 중")


def own_job(owner: str) -> Job | None:
    """The encoder fine-tuning run ``owner`` (a browser) started that is still running: after a
    reload, or in a second tab, its page follows it again."""
    return running_job(owner, (KIND,)) if owner else None


def curves(snapshot: dict, lang: str) -> pd.DataFrame:
    """Loss per step of every method so far.

    Every method has a placeholder row (loss NaN, not drawn) from the start: a live plot fixes
    its colour legend from the first data it sees, and would never draw a later method.
    """
    names = {n: localize(method_name(n), lang) for n in snapshot["methods"]}
    rows = [{"step": 0, "loss": float("nan"), "method": names[n]} for n in names]
    rows += [
        {"step": point["step"], "loss": point["loss"], "method": names[name]}
        for name, entry in snapshot["methods"].items()
        for point in entry["history"]
    ]
    return pd.DataFrame(rows, columns=["step", "loss", "method"])


def progress_text(snapshot: dict, lang: str) -> str:
    """The phase, time so far and time left, and each method's step."""
    phase = snapshot["phase"]
    phase = STARTING if phase == "starting" else phase
    eta = snapshot.get("eta_s")
    left = (
        Text("", "")
        if eta is None
        else Text(" · about {m:.1f} min left", " · 약 {m:.1f}분 남음", m=max(eta, 0) / 60)
    )
    lines = [Text("**{phase}** · {m:.1f} min{left}", "**{phase}** · {m:.1f}분 경과{left}",
                  phase=phase, m=snapshot["elapsed_s"] / 60, left=left)]  # fmt: skip
    for name, entry in snapshot["methods"].items():
        status = STATUSES.get(entry["status"], Text(entry["status"], entry["status"]))
        line = Text("- {name}: {status}", "- {name}: {status}", name=method_name(name),
                    status=status)  # fmt: skip
        if entry["step"]:
            line = Text("{line}, step {step} of ~{total}", "{line}, 약 {total}스텝 중 {step}스텝",
                        line=line, step=entry["step"],
                        total=max(entry["total_steps"], entry["step"]))  # fmt: skip
        lines.append(line)
    return "\n".join(localize(lines, lang))


def comparison_frame(record: TuneRecord, lang: str) -> pd.DataFrame:
    """The run's comparison table (``models.rank.compare``), headers and names in ``lang``,
    blank where a column does not apply."""
    frame = pd.DataFrame(localize(comparison_rows(record), lang))
    return frame.astype(object).where(frame.notna(), "")


def ended_text(job: Job, lang: str) -> str:
    """How a finished run ended, in a line."""
    if job.error or job.result is None:
        return failure(job.error or Text("The run ended without a result.",
                                         "학습이 결과 없이 끝났습니다."), lang)  # fmt: skip
    record: TuneRecord = job.result
    if not any(m.status in ("done", "stopped") for m in record.methods):
        note = Text("No method finished.", "끝난 방법이 없습니다.")
    elif job.monitor.stop_requested:
        note = Text("Stopped; what finished is kept.", "멈췄습니다. 끝난 것은 남겨 둡니다.")
    else:
        note = Text("Done.", "완료했습니다.")
    text = Text("{note} The tuned encoders are in the Ranker list.",
                "{note} 조정한 인코더는 검색 모델 목록에 있습니다.", note=note)  # fmt: skip
    return localize(text, lang)
