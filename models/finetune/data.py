"""The rows a run trains and evaluates on, checked before anything is trained.

Training rows come from a dataset's ``train`` split and evaluation rows from its ``validation``
split (never ``test``: that stays for the Classification tab's evaluation view). An upload is split
into the two by the seed. A run that ends in an ensemble also keeps up to ``WEIGHTING_ROWS`` of the
validation rows it does not evaluate on, to choose the members' weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from models.core.errors import ConfigError, DatasetError
from models.core.i18n import Text, error_text
from models.core.settings import Settings, get_settings
from models.datasets.registry import LoadedDataset, get_spec, load_dataset
from models.datasets.sampling import sample_rows, split_rows
from models.datasets.upload import ColumnMapping, apply_mapping, read_table
from models.finetune.config import FinetuneConfig

WEIGHTING_ROWS = 1_000  # enough to tell a strong member from a weak one; costs ~10 s to predict


@dataclass
class RunData:
    """Training and evaluation rows with their label set."""

    train: pd.DataFrame
    eval: pd.DataFrame
    labels: list[str]
    pair: bool
    description: str
    source: str  # "data home", "downloaded", "sample" or "upload"
    # Validation rows beside ``eval`` that choose an ensemble's weights (none for an upload).
    weighting: pd.DataFrame = field(default_factory=pd.DataFrame)

    def summary(self) -> dict:
        return {
            "train_rows": len(self.train),
            "eval_rows": len(self.eval),
            "weighting_rows": len(self.weighting),
            "labels": self.labels,
            "pair": self.pair,
            "description": self.description,
            "source": self.source,
        }


def _check_rows(frame: pd.DataFrame, what: str) -> None:
    empty = frame["text"].astype(str).str.strip() == ""
    if "text_pair" in frame:
        empty |= frame["text_pair"].astype(str).str.strip() == ""
    if empty.any():
        rows = ", ".join(str(i + 1) for i in frame.index[empty][:5])
        raise ConfigError(
            Text(
                "{n} {what} rows have an empty text (e.g. rows {rows}). Remove them or choose "
                "another text column.",
                "{what} 행 {n}개의 텍스트가 비어 있습니다(예: {rows}행). 지우거나 다른 텍스트 열을 "
                "고르세요.",
                n=int(empty.sum()),
                what=what,
                rows=rows,
            )
        )
    missing = frame["label"].isna() | (frame["label"].astype(str).str.strip() == "")
    if missing.any():
        raise ConfigError(
            Text(
                "{n} {what} rows have no label. Label or remove them.",
                "{what} 행 {n}개에 레이블이 없습니다. 레이블을 달거나 지우세요.",
                n=int(missing.sum()),
                what=what,
            )
        )


def _from_registry(
    config: FinetuneConfig, settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame, LoadedDataset]:
    spec = get_spec(config.dataset)
    if not spec.labelled or spec.task == "ranking":
        raise ConfigError(
            Text(
                "{data} has no class labels to train a classifier on.",
                "{data}에는 분류기를 학습할 클래스 레이블이 없습니다.",
                data=spec.title,
            )
        )
    if config.task != "custom" and spec.task != config.task:
        raise ConfigError(
            Text(
                "{data} is a {kind} dataset; choose a {task} dataset or the {kind} task.",
                "{data}은(는) {kind} 데이터셋입니다. {task} 데이터셋을 고르거나 작업을 "
                "{kind}(으)로 바꾸세요.",
                data=spec.title,
                kind=spec.task,
                task=config.task,
            )
        )
    train = load_dataset(config.dataset, "train", settings)
    evaluation = load_dataset(config.dataset, "validation", settings)
    return train.frame, evaluation.frame, train


def _from_upload(config: FinetuneConfig, settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    table = read_table(config.upload_path, settings.max_upload_rows)
    columns = config.upload_columns
    mapping = ColumnMapping(
        text=columns["text"], label=columns.get("label"), text_pair=columns.get("text_pair")
    )
    # Empty texts are reported, not silently dropped: the user asked for every row.
    for role in ("text", "text_pair"):
        column = getattr(mapping, role)
        if column and column in table and (table[column].astype(str).str.strip() == "").any():
            count = int((table[column].astype(str).str.strip() == "").sum())
            raise ConfigError(
                Text(
                    "{n} rows of the upload have an empty '{column}'. Remove them and upload "
                    "again.",
                    "올린 파일의 {n}개 행에서 '{column}'이(가) 비어 있습니다. "
                    "지우고 다시 올리세요.",
                    n=count,
                    column=column,
                )
            )
    frame = apply_mapping(table, mapping, need_label=True)
    size = min(config.eval_size, len(frame) // 2)
    if size < 1:
        raise ConfigError(
            Text(
                "The upload needs at least 2 rows: some to train on, some to evaluate.",
                "올린 파일에는 학습용과 평가용으로 최소 2행이 있어야 합니다.",
            )
        )
    from sklearn.model_selection import train_test_split

    counts = frame["label"].value_counts()
    stratify = frame["label"] if counts.min() >= 2 and size >= len(counts) else None
    train, evaluation = train_test_split(
        frame, test_size=size, random_state=config.seed, stratify=stratify
    )
    return train.reset_index(drop=True), evaluation.reset_index(drop=True)


def prepare_data(
    config: FinetuneConfig, settings: Settings | None = None, all_rows: bool = False
) -> RunData:
    """Load, sample and check the rows of a run (``all_rows``: keep every training row).

    Raises:
        ConfigError: one class only, fewer rows than asked, evaluation labels the training rows
            never show, empty texts or labels, a dataset for another task.
    """
    settings = settings or get_settings()
    try:
        if config.dataset == "upload":
            train_all, eval_all = _from_upload(config, settings)
            source, description = "upload", f"uploaded file {config.upload_path}"
            title = Text("The upload", "올린 파일")
        else:
            train_all, eval_all, loaded = _from_registry(config, settings)
            source, description = loaded.source, loaded.describe()
            title = loaded.spec.title
    except DatasetError as err:
        raise ConfigError(error_text(err)) from err

    for frame, what in (
        (train_all, Text("training", "학습")),
        (eval_all, Text("evaluation", "평가")),
    ):
        _check_rows(frame, what)
    train_size = len(train_all) if all_rows else config.train_size
    if config.dataset != "upload":
        if train_size > len(train_all):
            raise ConfigError(
                Text(
                    "{data} has {n:,} training rows; {asked:,} were asked. Choose at most {n:,}.",
                    "{data}의 학습 행은 {n:,}개인데 {asked:,}개를 요청했습니다. {n:,}개 이하로 "
                    "고르세요.",
                    data=title,
                    n=len(train_all),
                    asked=config.train_size,
                )
            )
        if config.eval_size > len(eval_all):
            raise ConfigError(
                Text(
                    "{data} has {n:,} validation rows; {asked:,} were asked for evaluation. "
                    "Choose at most {n:,}.",
                    "{data}의 검증 행은 {n:,}개인데 평가용으로 {asked:,}개를 요청했습니다. {n:,}개 "
                    "이하로 고르세요.",
                    data=title,
                    n=len(eval_all),
                    asked=config.eval_size,
                )
            )
    elif train_size > len(train_all):
        raise ConfigError(
            Text(
                "The upload leaves {n:,} rows for training after holding out {held:,} for "
                "evaluation; {asked:,} were asked.",
                "올린 파일에서 평가용 {held:,}행을 떼고 나면 학습용은 {n:,}행인데 {asked:,}행을 "
                "요청했습니다.",
                n=len(train_all),
                held=len(eval_all),
                asked=config.train_size,
            )
        )

    train = sample_rows(train_all, train_size, config.seed)
    evaluation, unused = split_rows(eval_all, config.eval_size, config.seed)
    weighting = unused.iloc[:0]
    if config.ensemble and config.dataset != "upload":
        weighting = sample_rows(unused, min(WEIGHTING_ROWS, len(unused)), config.seed)
    labels = sorted(train["label"].astype(str).unique())
    if len(labels) < 2:
        raise ConfigError(
            Text(
                "The training rows hold one class only ('{label}'); a classifier needs at least "
                "two. Choose more rows or another label column.",
                "학습 행에 클래스가 하나('{label}')뿐입니다. 분류기에는 최소 두 개가 필요합니다. "
                "행을 늘리거나 다른 레이블 열을 고르세요.",
                label=labels[0],
            )
        )
    unknown = sorted(set(evaluation["label"].astype(str)) - set(labels))
    if unknown:
        shown = ", ".join(unknown[:5])
        raise ConfigError(
            Text(
                "The evaluation rows have labels the training rows never show: {shown}. Train on "
                "more rows (so every class appears) or fix the labels.",
                "평가 행에 학습 행에는 없는 레이블이 있습니다: {shown}. 모든 클래스가 나오도록 "
                "학습 행을 늘리거나 레이블을 고치세요.",
                shown=shown,
            )
        )
    pair = "text_pair" in train.columns and train["text_pair"].notna().all()
    return RunData(train, evaluation, labels, bool(pair), description, source, weighting)
