"""What the Classification tab offers to choose, and what it says about the choice (plain data).

Models are named by what they are ("Korean sentiment, n-grams + e5 top layers, trained 25 Nov
22:44, accuracy 0.858"), never by folder or timestamp; paths and sources appear only in a
collapsed details view. Every name is a ``Text``: handlers render it in the page's language.
"""

from __future__ import annotations

from pathlib import Path

from demos.widgets import details
from models.classify.describe import mode_name
from models.classify.loaders import AUTO, NLI_PREFIX, ZERO_SHOT
from models.core.i18n import Text, join
from models.core.settings import get_settings
from models.finetune.methods import METHODS
from models.finetune.names import method_name, run_started, saved_title
from models.finetune.refs import run_ref
from models.finetune.runs import load_record, saved_classifiers
from models.prepare.background import get_preparation
from models.prepare.status import notice
from models.sources.packaged import PACKAGED_PREFIX
from models.sources.resolver import RUN_PREFIX
from models.sources.task_models import choose_model, model_keys, task_models

# Runs whose checkpoint is a transformers classifier, so it can judge entailment for zero-shot.
ENTAILMENT_METHODS = {name for name, method in METHODS.items() if method.trainer}
TRAIN_HINT = Text(
    "Press *Train the default model* to train one offline (about 3 minutes).",
    "*기본 모델 학습*을 누르면 오프라인으로 학습합니다(약 3분).",
)
MEANWHILE = Text("zero-shot is used meanwhile", "그동안 제로샷을 사용합니다")
STOPPED_EARLY = Text(" · stopped early", " · 중간에 멈춤")
# A member of a run the server lost mid-way is whole, but its run's comparison is not.
INTERRUPTED = Text(" (from an interrupted run)", " (중단된 실행에서)")


def short_name(ref: str) -> str:
    """A model reference as a name: "packaged:multilingual-e5-small" -> "multilingual-e5-small";
    a Hub id stays whole (its organisation is part of the name)."""
    return ref.removeprefix(PACKAGED_PREFIX)


def saved_label(saved: dict) -> Text:
    """A saved checkpoint's entry: what it is, when it was trained, its accuracy, how its run
    ended (``models.finetune.names.saved_title``)."""
    stopped = STOPPED_EARLY if saved["status"] == "stopped" else ""
    interrupted = INTERRUPTED if saved.get("interrupted") else ""
    return join([saved_title(saved), stopped, interrupted])


def saved_entry(ref: str) -> dict | None:
    """The saved checkpoint behind a run reference or a folder in the runs folder (the fields of
    ``saved_classifiers``), or None when ``ref`` is no run's."""
    settings = get_settings()
    root = settings.runs_dir.resolve()
    inner = ref.removeprefix(NLI_PREFIX)
    folder = root / inner.removeprefix(RUN_PREFIX) if inner.startswith(RUN_PREFIX) else Path(inner)
    try:
        folder = folder.resolve()
        run_id = folder.relative_to(root).parts[0]
        record = load_record(run_id, settings)
    except (OSError, ValueError, TypeError, IndexError):
        return None
    for result in record.methods:
        for path in (result.checkpoint, result.merged_checkpoint):
            if path and Path(path).resolve() == folder:
                return {
                    "path": path, "run_id": record.run_id, "method": result.method,
                    "task": record.config.get("task"), "dataset": record.config.get("dataset"),
                    "accuracy": result.eval_accuracy, "status": result.status,
                    "interrupted": record.status == "interrupted",
                }  # fmt: skip
    return None


def _needs_hub() -> Text | str:
    # Offline, Hub models stay listed (the settings file names them) but say what they need.
    if get_settings().hub_offline:
        return Text(" (needs the Hub: offline now)", " (Hub 필요: 지금은 오프라인)")
    return ""


def model_choices(task: str, viewer: str | None = None) -> list[tuple[Text, str]]:
    """Dropdown entries: auto, zero-shot, this app's runs for the task, Hub defaults.

    ``viewer``: None lists every saved run (local use); else a session id, which sees the
    operator's runs and its own.
    """
    choices: list[tuple[Text, str]] = [
        (Text("The task's default (auto)", "이 작업의 기본 모델(자동)"), AUTO),
        (Text("Zero-shot: similarity to each label's description",
              "제로샷: 각 레이블 설명과의 유사도"), ZERO_SHOT),
    ]  # fmt: skip
    nli_runs = []
    for saved in saved_classifiers(viewer=viewer):
        label, ref = saved_label(saved), run_ref(saved["path"])  # a name, not a server path
        if saved["task"] == task:
            choices.append((label, ref))
        if saved["task"] == "nli" and task != "nli" and saved["method"] in ENTAILMENT_METHODS:
            nli_runs.append((_by_entailment(label), NLI_PREFIX + ref))
    entries = task_models()
    needs = _needs_hub()
    for key in model_keys(task):
        if hub := entries[key].hub:
            choices.append((Text("Hub: {hub}{needs}", "Hub: {hub}{needs}", hub=hub, needs=needs),
                            hub))  # fmt: skip
    if task != "nli":
        choices.extend(nli_runs)
        for key in model_keys("nli"):
            if hub := entries[key].hub:
                choices.append((_by_entailment(join([hub, needs])), NLI_PREFIX + hub))
    return choices


def _by_entailment(name: Text | str) -> Text:
    return Text("Zero-shot by entailment: {name}", "함의 기반 제로샷: {name}", name=name)


def model_name(ref: str, mode: str = "") -> Text:
    """What a model reference is, in words: a run's title, zero-shot with which model, or the
    reference as typed (a Hub id, a folder the operator named)."""
    if ref in ("", AUTO):
        return Text("the task's default", "이 작업의 기본 모델")
    if saved := saved_entry(ref):
        title = saved_label(saved)
        return _by_entailment(title) if ref.startswith(NLI_PREFIX) else title
    if ref.startswith(NLI_PREFIX):
        return _by_entailment(short_name(ref.removeprefix(NLI_PREFIX)))
    if ref == ZERO_SHOT or mode == "zero-shot (embeddings)":
        named = "" if ref == ZERO_SHOT else short_name(ref)
        return Text(
            "zero-shot, by embedding similarity{with_}", "임베딩 유사도 기반 제로샷{with_}",
            with_=Text(" ({m})", " ({m})", m=named) if named else "",
        )  # fmt: skip
    if mode:
        return Text(
            "{name} ({mode})", "{name} ({mode})", name=short_name(ref), mode=mode_name(mode)
        )
    return Text("{name}", "{name}", name=short_name(ref))


def _trained_line(title: Text, folder: str) -> Text:
    """The line of a trained default: "Sentiment (Korean): trained here — n-grams + e5 top
    layers, 25 Nov 22:44, accuracy 0.858"."""
    saved = saved_entry(folder)
    if saved is None:  # a folder registered by hand: nothing but its place to say
        return Text("**{title}**: trained here", "**{title}**: 여기서 학습한 모델", title=title)
    started = run_started(saved.get("run_id", ""))
    parts: list = [method_name(saved["method"])]
    if started is not None:
        parts.append(Text(started.strftime("%d %b %H:%M").lstrip("0"),
                          f"{started.month}월 {started.day}일 {started:%H:%M}"))  # fmt: skip
    if saved.get("accuracy") is not None:
        parts.append(Text("accuracy {a:.3f}", "정확도 {a:.3f}", a=saved["accuracy"]))
    return Text(
        "**{title}**: trained here — {what}", "**{title}**: 여기서 학습한 모델 — {what}",
        title=title, what=join(parts, ", "),
    )  # fmt: skip


def _key_status(key: str) -> tuple[Text, Text]:
    """One key's compact line and what its details view adds (the model's reference, source)."""
    choice = choose_model(key)
    title = choice.title
    source = Text(
        "{title}: `{ref}` ({where}).", "{title}: `{ref}` ({where}).",
        title=title, ref=choice.ref, where=choice.where,
    )  # fmt: skip
    if choice.mode == "trained":
        return _trained_line(title, choice.ref), source
    if choice.mode == "zero-shot":
        name = short_name(choice.ref)
        preparing = notice(get_preparation(), f"default:{key}", MEANWHILE)
        zero_shot = Text(
            "Zero-shot model: `{name}`.", "제로샷 모델: `{name}`.", name=name
        )  # fmt: skip
        if preparing.startswith("⏳"):
            return join([preparing, zero_shot], " "), source
        line = Text(
            "**No trained model for {title} yet** — {meanwhile} (`{name}`).",
            "**{title}: 아직 학습된 모델 없음** — {meanwhile}(`{name}`).",
            title=title, meanwhile=MEANWHILE, name=name,
        )  # fmt: skip
        if preparing:  # a warning (the preparation failed, the model is damaged) stays in view
            line = join([line, preparing], " ")
        return line, join([source, TRAIN_HINT], " ")
    if choice.mode == "unavailable":
        line = Text(
            "**No trained model for {title} yet**, and its zero-shot model cannot be loaded: "
            "{why}",
            "**{title}: 아직 학습된 모델 없음**, 제로샷 모델도 불러올 수 없습니다: {why}",
            title=title, why=choice.where,
        )  # fmt: skip
        return line, join([Text("`{ref}`.", "`{ref}`.", ref=choice.ref), TRAIN_HINT], " ")
    if choice.mode == "hub":
        line = Text(
            "**{title}**: `{ref}` from the Hugging Face Hub",
            "**{title}**: Hugging Face Hub의 `{ref}`", title=title, ref=choice.ref,
        )  # fmt: skip
        return line, source
    line = Text(
        "**{title}**: `{name}` (packaged offline weights)",
        "**{title}**: `{name}`(패키지 오프라인 가중치)", title=title, name=short_name(choice.ref),
    )  # fmt: skip
    return line, source


def model_status(task: str, model: str) -> Text:
    """What will classify: one compact line per model the task uses, and one collapsed details
    view with where each comes from (paths stay there)."""
    if model != AUTO:
        if saved_entry(model) is None and not is_zero_shot_choice(model):
            return Text("Model: `{ref}`.", "모델: `{ref}`.", ref=model)  # a Hub id, a folder typed
        return Text("**Model**: {name}.", "**모델**: {name}.", name=model_name(model))
    lines, more = zip(*(_key_status(key) for key in model_keys(task)), strict=True)
    # The details follow the last line in the same paragraph: one block per task, no more.
    last = join([lines[-1], details(join(more, "<br>"))], "\n")
    return join([*lines[:-1], last], "\n\n")


def default_choices(task: str) -> list[tuple[Text, str]]:
    """The defaults a task can train (sentiment: Korean and English), named with their data."""
    entries = task_models()
    return [
        (Text("{title}: {data}", "{title}: {data}", title=entries[k].name, data=entries[k].dataset),
         k)
        for k in model_keys(task)
    ]  # fmt: skip


def promotion_text(promotion: dict) -> Text:
    """A default's promotion (``models.finetune.promotion.Promotion.as_dict()``) in plain words:
    "The new model (accuracy 0.861) now classifies Korean sentiment for everyone: …"."""
    entry = task_models().get(promotion.get("key", ""))
    title = entry.name if entry else promotion.get("key", "")
    new, current = promotion.get("new_accuracy"), promotion.get("current_accuracy")
    rows = promotion.get("rows") or 0
    if promotion.get("promoted"):
        if current is None:
            return Text(
                "The new model (accuracy {new:.3f}) now classifies {title} for everyone; the "
                "previous one could not be evaluated.",
                "새 모델(정확도 {new:.3f})이 이제 모두의 {title} 분류에 쓰입니다. 이전 모델은 "
                "평가할 수 없었습니다.",
                new=new, title=title,
            )  # fmt: skip
        return Text(
            "The new model (accuracy {new:.3f}) now classifies {title} for everyone: it did at "
            "least as well as the previous one ({current:.3f}) on the same {rows:,} validation "
            "rows.",
            "새 모델(정확도 {new:.3f})이 이제 모두의 {title} 분류에 쓰입니다. 같은 검증 행 "
            "{rows:,}개에서 이전 모델({current:.3f}) 이상으로 맞혔습니다.",
            new=new, title=title, current=current, rows=rows,
        )  # fmt: skip
    return Text(
        "{title} keeps its current model ({current:.3f}): the new one scored {new:.3f} on the "
        "same {rows:,} validation rows. The new model stays in Past runs.",
        "{title}은(는) 지금 모델({current:.3f})을 그대로 씁니다. 새 모델은 같은 검증 행 "
        "{rows:,}개에서 {new:.3f}였습니다. 새 모델은 지난 실행에 남아 있습니다.",
        title=title, current=current or 0.0, new=new or 0.0, rows=rows,
    )  # fmt: skip


def classified_by(ref: str, mode: str, source: str) -> Text:
    """The line under a result: which model classified, in words, with its source collapsed."""
    return join(
        [
            Text("Classified by: {name}.", "분류한 모델: {name}.", name=model_name(ref, mode)),
            details(source),
        ],
        " ",
    )


def is_zero_shot_choice(model: str) -> bool:
    """Whether the chosen model takes typed labels (zero-shot by embeddings or entailment)."""
    return model == ZERO_SHOT or (model or "").startswith(NLI_PREFIX)
