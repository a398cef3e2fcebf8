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
            f"{int(empty.sum())} {what} rows have an empty text (e.g. rows {rows}). Remove them "
            "or choose another text column."
        )
    missing = frame["label"].isna() | (frame["label"].astype(str).str.strip() == "")
    if missing.any():
        raise ConfigError(f"{int(missing.sum())} {what} rows have no label. Label or remove them.")


def _from_registry(
    config: FinetuneConfig, settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame, LoadedDataset]:
    spec = get_spec(config.dataset)
    if not spec.labelled or spec.task == "ranking":
        raise ConfigError(f"{spec.title} has no class labels to train a classifier on.")
    if config.task != "custom" and spec.task != config.task:
        raise ConfigError(
            f"{spec.title} is a {spec.task} dataset; choose a {config.task} dataset or the "
            f"{spec.task} task."
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
                f"{count} rows of the upload have an empty '{column}'. Remove them and upload "
                "again."
            )
    frame = apply_mapping(table, mapping, need_label=True)
    size = min(config.eval_size, len(frame) // 2)
    if size < 1:
        raise ConfigError("The upload needs at least 2 rows: some to train on, some to evaluate.")
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
            title = "The upload"
        else:
            train_all, eval_all, loaded = _from_registry(config, settings)
            source, description = loaded.source, loaded.describe()
            title = loaded.spec.title
    except DatasetError as err:
        raise ConfigError(str(err)) from err

    for frame, what in ((train_all, "training"), (eval_all, "evaluation")):
        _check_rows(frame, what)
    train_size = len(train_all) if all_rows else config.train_size
    if config.dataset != "upload":
        if train_size > len(train_all):
            raise ConfigError(
                f"{title} has {len(train_all):,} training rows; {config.train_size:,} were asked. "
                f"Choose at most {len(train_all):,}."
            )
        if config.eval_size > len(eval_all):
            raise ConfigError(
                f"{title} has {len(eval_all):,} validation rows; {config.eval_size:,} were asked "
                f"for evaluation. Choose at most {len(eval_all):,}."
            )
    elif train_size > len(train_all):
        raise ConfigError(
            f"The upload leaves {len(train_all):,} rows for training after holding out "
            f"{len(eval_all):,} for evaluation; {config.train_size:,} were asked."
        )

    train = sample_rows(train_all, train_size, config.seed)
    evaluation, unused = split_rows(eval_all, config.eval_size, config.seed)
    weighting = unused.iloc[:0]
    if config.ensemble and config.dataset != "upload":
        weighting = sample_rows(unused, min(WEIGHTING_ROWS, len(unused)), config.seed)
    labels = sorted(train["label"].astype(str).unique())
    if len(labels) < 2:
        raise ConfigError(
            f"The training rows hold one class only ('{labels[0]}'); a classifier needs at least "
            "two. Choose more rows or another label column."
        )
    unknown = sorted(set(evaluation["label"].astype(str)) - set(labels))
    if unknown:
        shown = ", ".join(unknown[:5])
        raise ConfigError(
            f"The evaluation rows have labels the training rows never show: {shown}. Train on "
            "more rows (so every class appears) or fix the labels."
        )
    pair = "text_pair" in train.columns and train["text_pair"].notna().all()
    return RunData(train, evaluation, labels, bool(pair), description, source, weighting)
