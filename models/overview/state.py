"""What each task uses, the packaged weights, the datasets, the device: the Models & data tab.

Reading it never converts or downloads anything, so the tab fills instantly; file checks compare
sizes only (``core.manifest``), so a damaged conversion shows as such, never as "ready".

Rows keep English keys (the API's field names); their words are ``Text``s the page renders in
its language, and ``COLUMNS`` names each key for a table's header. Key columns come first (what
it is, its size, its state); folders and addresses last, where a long path may wrap.
"""

from __future__ import annotations

from models.core.device import describe_device
from models.core.i18n import Text, join
from models.core.settings import Settings, get_settings
from models.core.tasks import LANGUAGE_NAMES, TASK_NAMES
from models.datasets.registry import SPLIT_NAMES, data_home_folder, missing_files
from models.datasets.specs import DATASETS
from models.sources import packaged
from models.sources.integrity import DAMAGED
from models.sources.resolver import hub_reachable
from models.sources.task_models import choose_model, task_models

# A table's header for each row key, in both languages.
COLUMNS = {
    "task": Text("task", "작업"),
    "model": Text("model", "모델"),
    "mode": Text("mode", "방식"),
    "source": Text("source", "출처"),
    "parameters": Text("parameters", "파라미터 수"),
    "state": Text("state", "상태"),
    "languages": Text("languages", "언어"),
    "licence": Text("licence", "라이선스"),
    "package": Text("package", "패키지"),
    "same as Hub id": Text("same as Hub id", "같은 Hub 모델"),
    "folder": Text("folder", "폴더"),
    "dataset": Text("dataset", "데이터셋"),
    "title": Text("title", "이름"),
    "language": Text("language", "언어"),
    "splits": Text("splits", "분할"),
    "upstream": Text("upstream", "원본 배포처"),
    "item": Text("item", "항목"),
    "progress": Text("progress", "진행"),
    "detail": Text("detail", "세부 내용"),
}
READY = Text("ready", "준비됨")


def _packaged_state(model: packaged.PackagedModel, settings: Settings) -> tuple[Text, str]:
    """(state, folder) of one packaged model; the folder only once it is ready."""
    if not model.installed():
        return Text("not installed ({how})", "설치되지 않음(`{how}`)", how=model.install), ""
    if damage := packaged.damage(model, settings):
        # A conversion is redone on first use; a wheel's own files only by reinstalling.
        fix = DAMAGED if model.converter else Text(
            "damaged (reinstall: {how})", "손상됨(다시 설치: `{how}`)", how=model.install
        )  # fmt: skip
        return Text("{fix}: {damage}", "{fix}: {damage}", fix=fix, damage=damage), ""
    folder = packaged.ready_folder(model, settings)
    if folder is None:
        return Text("installed; converted on first use", "설치됨, 처음 쓸 때 변환"), ""
    return READY, str(folder)


def packaged_overview(settings: Settings | None = None) -> list[dict[str, str]]:
    """One row per packaged model: what it is, how big, its state, then where it is."""
    settings = settings or get_settings()
    rows = []
    for model in packaged.PACKAGED.values():
        state, folder = _packaged_state(model, settings)
        rows.append(
            {
                "model": model.ref,
                "parameters": model.parameters,
                "state": state,
                "languages": model.languages,
                "licence": model.licence,
                "package": model.package,
                "same as Hub id": model.hub_id,
                "folder": folder,
            }
        )
    return rows


def _dataset_source(settings: Settings, missing: bool) -> Text:
    if not missing:
        return Text("data home", "데이터 폴더")
    if settings.allow_downloads:
        return Text(
            "not in the data home: downloaded from upstream on first use (sample if offline)",
            "데이터 폴더에 없음: 처음 쓸 때 원본 배포처에서 내려받음(오프라인이면 샘플)",
        )
    return Text(
        "not in the data home; downloads off: built-in sample",
        "데이터 폴더에 없음, 내려받기 꺼짐: 내장 샘플 사용",
    )


def datasets_overview(settings: Settings | None = None) -> list[dict[str, str]]:
    """One row per registered dataset: in the data home, or what happens when it is asked for."""
    settings = settings or get_settings()
    rows = []
    for spec in DATASETS.values():
        folder = data_home_folder(spec, settings)
        missing = bool(missing_files(spec, folder))
        rows.append(
            {
                "dataset": spec.name,
                "title": spec.title,
                "task": TASK_NAMES.get(spec.task, spec.task),
                "language": LANGUAGE_NAMES.get(spec.language, spec.language),
                "source": _dataset_source(settings, missing),
                "splits": join([SPLIT_NAMES.get(s, s) for s in spec.splits], ", "),
                "licence": spec.licence,
                "folder": "" if missing else str(folder),
                "upstream": spec.homepage,
            }
        )
    return rows


def overview(settings: Settings | None = None) -> dict[str, object]:
    """Everything the Models & data tab shows, as plain data."""
    settings = settings or get_settings()
    hub = (
        Text("reachable", "연결됨")
        if hub_reachable(settings)
        else Text("offline (not reachable or disabled)", "오프라인(연결할 수 없거나 꺼져 있음)")
    )
    return {
        "device": describe_device(),
        "hub": hub,
        "tasks": [choose_model(key, settings).as_row() for key in task_models()],
        "packaged": packaged_overview(settings),
        "datasets": datasets_overview(settings),
        "paths": {
            "PLAYGROUND_CACHE": str(settings.cache_dir),
            "PLAYGROUND_DATA_HOME": str(settings.data_home),
            "PLAYGROUND_RUNS": str(settings.runs_dir),
        },
    }
