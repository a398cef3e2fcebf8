"""What preparation does, in the order the tabs need it, and what "ready" means for each item.

1. Packaged conversions (e5, SmolLM2): every tab that embeds or generates offline needs them.
2. The answer-ranking index of the default bank, with the default ranker.
3. Each task's offline default, with its recipe and usual budget: Korean sentiment first (the
   first screen), then English sentiment, intent, NLI.

Checking an item is cheap (a folder or file exists, and its files have the sizes its manifest
lists) and loads nothing, so the app can show every line at start-up. A damaged conversion,
index or trained default checks as "missing" with a detail starting ``damaged (will be
rebuilt)``: the preparation redoes it, and the lines say why. Doing one writes atomically
(``core.files``): an item killed half-way leaves what was there before, or nothing, and is simply
done again.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from models.core import files
from models.core.errors import PlaygroundError
from models.core.i18n import Text
from models.core.monitor import Monitor
from models.core.settings import Settings
from models.core.text import identifiers
from models.datasets.registry import data_home_folder, load_dataset, locate, missing_files
from models.datasets.specs import DATASETS
from models.finetune.recipes import RECIPES, default_result, train_default
from models.prepare.wire import from_wire, to_wire
from models.rank.banks import DEFAULT_BANK, load_bank
from models.rank.index import DenseIndex, HybridIndex, cached_fault, cached_vectors_file
from models.rank.rankers import AUTO, get_index
from models.sources import packaged
from models.sources.integrity import DAMAGED
from models.sources.task_models import task_models, trained_model, trained_model_fault

DEFAULT_KEYS = ("sentiment-ko", "sentiment-en", "intent", "nli")
PREPARED_INDEXES = "prepared.json"  # in <cache>/rank: bank -> the vectors file preparation built

Check = Literal["ready", "missing", "skipped"]


# A trained default found damaged is trained again (a conversion or an index is rebuilt).
DAMAGED_DEFAULT = Text("damaged (will be trained again)", "손상됨(다시 학습합니다)")


def damaged(reason: str, state: str = DAMAGED) -> tuple[Check, str]:
    """A check's answer for something damaged: done again, and the line says why.

    The detail is ``"<state>: <reason>"``, a ``Text`` whose parameters keep both parts apart."""
    return "missing", Text("{state}: {reason}", "{state}: {reason}", state=state, reason=reason)


@dataclass
class Context:
    """What an item's work gets: the settings, its budget, where to report, and the stop flag."""

    settings: Settings
    budget_minutes: float
    report: Callable[[float | None, str, float | None], None]  # fraction, message, ETA (s)
    stop: threading.Event

    def progress(self, done: float, total: float, message: str = "") -> None:
        """``report`` in the shape of ``core.progress.Progress`` (for conversions, indexing)."""
        self.report(done / total if total else None, message, None)


@dataclass(frozen=True)
class Item:
    """One thing to prepare."""

    key: str  # "convert:<model>", "index:<bank>", "default:<task key>"
    title: str
    expected_s: float  # a rough duration, for the ETA of items still waiting
    trains: bool  # holds the server's training slot while it runs
    check: Callable[[Settings], tuple[Check, str]]  # ("ready", where) / ("missing", "") / ...
    run: Callable[[Context], str]  # does it; returns what is now ready (one line)


# -- packaged conversions -------------------------------------------------------------------------


def _conversion(model: packaged.PackagedModel) -> Item:
    def check(settings: Settings) -> tuple[Check, str]:
        if not model.installed():
            return "skipped", Text(
                "not installed ({install})", "설치되지 않음(`{install}`)", install=model.install
            )
        if reason := packaged.damage(model, settings):
            return damaged(reason)
        folder = packaged.ready_folder(model, settings)
        return ("ready", _converted(folder)) if folder else ("missing", "")

    def run(context: Context) -> str:
        return _converted(packaged.prepare(model, context.settings, context.progress))

    title = Text("Convert {name}", "{name} 변환", name=model.name)
    return Item(f"convert:{model.name}", title, 60.0, False, check, run)


def _converted(folder: Path) -> Text:
    return Text("converted in {folder}", "변환 완료: {folder}", folder=str(folder))


# -- the answer-ranking index ---------------------------------------------------------------------


def _prepared_indexes(settings: Settings) -> Path:
    return settings.cache_dir / "rank" / PREPARED_INDEXES


def _read_prepared_indexes(settings: Settings) -> dict:
    """bank -> {"vectors", "detail", "sample"} for the indexes preparation built ({} if none)."""
    try:
        return json.loads(_prepared_indexes(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _index(bank_name: str) -> Item:
    spec = DATASETS.get(bank_name)  # the bank's dataset (Chatbot_data), if it has one

    def check(settings: Settings) -> tuple[Check, str]:
        entry = _read_prepared_indexes(settings).get(bank_name) or {}
        if not entry.get("vectors") or not Path(entry["vectors"]).is_file():
            return "missing", ""
        if reason := cached_fault(Path(entry["vectors"])):
            return damaged(reason)
        if (
            entry.get("sample")
            and spec
            and not missing_files(spec, data_home_folder(spec, settings))
        ):
            return "missing", ""  # built on the sample, and the real dataset has arrived since
        built = Text("built", "만들어짐")
        return "ready", from_wire(entry.get("detail_i18n", entry.get("detail", built)))

    def run(context: Context) -> str:
        files.check_writable(context.settings.cache_dir / "rank")
        source = locate(bank_name, context.settings)[1] if spec else "package"
        bank = load_bank(bank_name)

        index = get_index(bank, AUTO, context.progress)
        sample = Text(
            "the built-in sample: no dataset in the data home",
            "내장 샘플: 데이터 폴더에 데이터셋이 없음",
        )
        detail = Text(
            "{ref} index of {n:,} questions ({what})", "{ref} 인덱스, 질문 {n:,}개({what})",
            ref=index.ref, n=len(bank), what=bank.title if source != "sample" else sample,
        )  # fmt: skip
        dense = index.dense if isinstance(index, HybridIndex) else index
        if not isinstance(dense, DenseIndex):  # the default ranker uses an embedding model
            return detail
        built = _read_prepared_indexes(context.settings)
        vectors = cached_vectors_file(dense, bank.fingerprint)
        built[bank_name] = {
            "vectors": str(vectors), "detail": str(detail), "detail_i18n": to_wire(detail),
            "sample": source == "sample",
        }  # fmt: skip
        files.write_json(_prepared_indexes(context.settings), built)
        return detail

    title = Text("Answer-ranking index", "답변 검색 인덱스")
    return Item(f"index:{bank_name}", title, 120.0, False, check, run)


# -- the offline defaults -------------------------------------------------------------------------


def _check_dataset(name: str, context: Context) -> None:
    """Refuse to train a default on the built-in sample: it would be worse than zero-shot."""
    spec = DATASETS[name]
    if not missing_files(spec, data_home_folder(spec, context.settings)):
        return
    fetching = Text(
        "Fetching {title} from upstream", "원본 배포처에서 {title} 받는 중", title=spec.title
    )
    context.report(None, fetching, None)
    loaded = load_dataset(name, "train", context.settings)
    if loaded.source == "sample":
        raise PlaygroundError(
            Text(
                "{title} is needed to train this default. {note} Put it in PLAYGROUND_DATA_HOME "
                "(upstream's files, see Models & data), then prepare again; zero-shot is used "
                "meanwhile.",
                "이 기본 모델을 학습하려면 {title} 데이터셋이 필요합니다. {note} 원본 파일을 "
                "`PLAYGROUND_DATA_HOME`에 넣고(모델과 데이터 탭 참고) 다시 준비하세요. 그동안은 "
                "제로샷을 씁니다.",
                title=spec.title, note=loaded.note,
            )
        )  # fmt: skip


def _follow(monitor: Monitor, context: Context, done: threading.Event) -> None:
    """Turn the training monitor into reports, and the stop flag into a stop request."""
    budget_s = context.budget_minutes * 60
    while not done.wait(1.0):
        if context.stop.is_set():
            monitor.request_stop()
        snapshot = monitor.snapshot()
        elapsed = snapshot["elapsed_s"]
        eta = snapshot["eta_s"]
        if eta is None:  # a default's run is sized to its budget
            eta = max(budget_s - elapsed, 0.0)
        fraction = min(elapsed / (elapsed + eta), 0.99) if elapsed + eta > 0 else None
        phase = snapshot["phase"]
        context.report(fraction, phase if isinstance(phase, str) else str(phase), eta)


def _default(key: str) -> Item:
    entry = task_models()[key]

    def check(settings: Settings) -> tuple[Check, str]:
        if reason := trained_model_fault(key, settings):
            return damaged(reason, DAMAGED_DEFAULT)
        folder = trained_model(key, settings)
        trained = Text("trained: {folder}", "학습 완료: {folder}", folder=str(folder))
        return ("ready", trained) if folder else ("missing", "")

    def run(context: Context) -> str:
        recipe = RECIPES[key]
        files.check_writable(context.settings.runs_dir)
        _check_dataset(recipe.dataset, context)
        monitor = Monitor(recipe.methods)
        done = threading.Event()
        follower = threading.Thread(target=_follow, args=(monitor, context, done), daemon=True)
        follower.start()
        started = time.perf_counter()
        try:
            record = train_default(
                key, context.budget_minutes, monitor=monitor, settings=context.settings
            )
        finally:
            done.set()
            follower.join()
        result = default_result(record)
        if result.status != "done":
            stopped = Text("stopped", "중지됨")
            why = stopped if monitor.stop_requested else (result.error or result.status)
            raise PlaygroundError(
                Text("Training {why}; nothing was registered.",
                     "학습 결과: {why}. 아무것도 등록하지 않았습니다.", why=why)
            )  # fmt: skip
        took = Text(
            "{method}, {s:.0f} s", "{method}, {s:.0f}초",
            method=result.method, s=time.perf_counter() - started,
        )  # fmt: skip
        if record.promotion and not record.promotion["promoted"]:  # the current default was better
            return Text(
                "{why} ({took})", "{why}({took})", why=record.promotion["message"], took=took
            )
        return Text(
            "validation accuracy {a:.3f} ({took})", "검증 정확도 {a:.3f}({took})",
            a=result.eval_accuracy, took=took,
        )  # fmt: skip

    title = Text(
        "Default model: {title} ({dataset})", "기본 모델: {title}({dataset})",
        title=entry.name, dataset=RECIPES[key].dataset,
    )  # fmt: skip
    return Item(f"default:{key}", title, 180.0, True, check, run)


def plan() -> list[Item]:
    """Every item, in the order the tabs need them."""
    conversions = [_conversion(m) for m in packaged.PACKAGED.values() if m.converter is not None]
    return [*conversions, _index(DEFAULT_BANK), *(_default(key) for key in DEFAULT_KEYS)]


def select(items: list[Item], keys: list[str] | None) -> list[Item]:
    """The items named by ``keys`` (full keys or their last part: ``nli``), in plan order."""
    if not keys:
        return items
    known = {item.key: item for item in items}
    wanted = set()
    for key in keys:
        matches = [k for k in known if k == key or k.split(":", 1)[1] == key]
        if not matches:
            raise PlaygroundError(
                Text("Nothing to prepare is called '{key}'. Choose: {known}.",
                     "준비할 항목이 없습니다: '{key}'. 다음 중에서 고르세요: {known}.",
                     key=key, known=identifiers(known))
            )  # fmt: skip
        wanted.update(matches)
    return [item for item in items if item.key in wanted]
