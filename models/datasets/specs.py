"""The registered datasets: upstream files and URLs, licences, tasks, and how each splits.

Every labelled set offers ``train``, ``validation`` and ``test`` (see ``splits.py``); some add a
split of their own (VADER's ``tweets``, CLINC150's ``oos_test``, Chatbot_data's ``all``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from models.core.i18n import Text
from models.core.tasks import Task
from models.datasets import parsers
from models.datasets.splits import SplitRule, three_ways, with_validation

_RAW = "https://raw.githubusercontent.com"
_VADER_TAR = f"{_RAW}/cjhutto/vaderSentiment/master/additional_resources/hutto_ICWSM_2014.tar.gz"


@dataclass(frozen=True)
class UpstreamFile:
    """One file of a dataset: its path in the dataset folder and where upstream serves it."""

    path: str
    url: str
    member: str | None = field(default=None, metadata={"help": "path inside a .tar.gz at url"})


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset in the registry."""

    name: str
    title: str  # a Text: English and Korean
    task: Task
    language: str
    folder: str
    files: tuple[UpstreamFile, ...]
    splits: dict[str, SplitRule]
    licence: str
    homepage: str
    labels: tuple[str, ...] | None = None  # None: read from the data (intent sets)
    split_note: str = ""

    @property
    def labelled(self) -> bool:
        return self.task in ("sentiment", "nli", "intent", "ranking")


def _snips_files() -> tuple[UpstreamFile, ...]:
    base = f"{_RAW}/sonos/nlu-benchmark/master/2017-06-custom-intent-engines"
    return tuple(
        UpstreamFile(f"{intent}/{name}", f"{base}/{intent}/{name}")
        for intent in parsers.SNIPS_INTENTS
        for name in (f"train_{intent}_full.json", f"validate_{intent}.json")
    )


def _build_registry() -> dict[str, DatasetSpec]:
    nsmc = f"{_RAW}/e9t/nsmc/master"
    banking = f"{_RAW}/PolyAI-LDN/task-specific-datasets/master/banking_data"
    kornlu = f"{_RAW}/kakaobrain/KorNLUDatasets/master"
    specs = [
        DatasetSpec(
            name="nsmc",
            title=Text("NSMC (Naver movie reviews)", "NSMC(네이버 영화 리뷰)"),
            task="sentiment",
            language="ko",
            folder="nsmc",
            files=(
                UpstreamFile("ratings_train.txt", f"{nsmc}/ratings_train.txt"),
                UpstreamFile("ratings_test.txt", f"{nsmc}/ratings_test.txt"),
            ),
            splits=with_validation(
                "nsmc",
                partial(parsers.nsmc, file="ratings_train.txt"),
                partial(parsers.nsmc, file="ratings_test.txt"),
            ),
            labels=("negative", "positive"),
            licence="CC0 1.0",
            homepage="https://github.com/e9t/nsmc",
            split_note="test = ratings_test.txt; validation = 10% of ratings_train.txt by hash.",
        ),
        DatasetSpec(
            name="vader",
            title=Text("VADER movie review snippets", "VADER 영화 리뷰 문장"),
            task="sentiment",
            language="en",
            folder="vader",
            files=(
                UpstreamFile(
                    "movieReviewSnippets_GroundTruth.txt",
                    _VADER_TAR,
                    "hutto_ICWSM_2014/movieReviewSnippets_GroundTruth.txt",
                ),
                UpstreamFile(
                    "tweets_GroundTruth.txt",
                    _VADER_TAR,
                    "hutto_ICWSM_2014/tweets_GroundTruth.txt",
                ),
            ),
            splits={
                **three_ways(
                    "vader", partial(parsers.vader, file="movieReviewSnippets_GroundTruth.txt")
                ),
                "tweets": SplitRule(partial(parsers.vader, file="tweets_GroundTruth.txt")),
            },
            labels=("negative", "positive"),
            licence="MIT",
            homepage="https://github.com/cjhutto/vaderSentiment",
            split_note=(
                "label = sign of the mean human rating (rows rated exactly 0 dropped); "
                "test = 20% of the movie-review snippets by hash, validation = 10% of the rest; "
                "'tweets' = the tweets file, an out-of-domain check."
            ),
        ),
        DatasetSpec(
            name="snips",
            title=Text("SNIPS (7 intents)", "SNIPS(의도 7개)"),
            task="intent",
            language="en",
            folder="snips",
            files=_snips_files(),
            splits=with_validation(
                "snips",
                partial(parsers.snips, pattern="train_{intent}_full.json"),
                partial(parsers.snips, pattern="validate_{intent}.json"),
            ),
            labels=parsers.SNIPS_INTENTS,
            licence="CC0 1.0",
            homepage="https://github.com/sonos/nlu-benchmark",
            split_note="test = upstream validate_*.json; validation = 10% of train_*_full.json.",
        ),
        DatasetSpec(
            name="clinc150",
            title=Text("CLINC150 (150 intents)", "CLINC150(의도 150개)"),
            task="intent",
            language="en",
            folder="clinc150",
            files=(
                UpstreamFile("data_full.json", f"{_RAW}/clinc/oos-eval/master/data/data_full.json"),
            ),
            splits={
                "train": SplitRule(partial(parsers.clinc150, keys=("train",))),
                "validation": SplitRule(partial(parsers.clinc150, keys=("val",))),
                "test": SplitRule(partial(parsers.clinc150, keys=("test",))),
                "oos_test": SplitRule(partial(parsers.clinc150, keys=("oos_test",))),
            },
            licence="CC BY 3.0",
            homepage="https://github.com/clinc/oos-eval",
            split_note=(
                "train / validation / test are upstream's in-scope splits; "
                "'oos_test' holds the out-of-scope queries."
            ),
        ),
        DatasetSpec(
            name="banking77",
            title=Text("BANKING77 (77 intents)", "BANKING77(의도 77개)"),
            task="intent",
            language="en",
            folder="banking77",
            files=(
                UpstreamFile("train.csv", f"{banking}/train.csv"),
                UpstreamFile("test.csv", f"{banking}/test.csv"),
                UpstreamFile("categories.json", f"{banking}/categories.json"),
            ),
            splits=with_validation(
                "banking77",
                partial(parsers.banking77, file="train.csv"),
                partial(parsers.banking77, file="test.csv"),
            ),
            licence="CC BY 4.0",
            homepage="https://github.com/PolyAI-LDN/task-specific-datasets",
            split_note="test = upstream test.csv; validation = 10% of train.csv by hash.",
        ),
        DatasetSpec(
            name="kornli",
            title=Text("KorNLI (XNLI dev/test, Korean)", "KorNLI(XNLI 검증·테스트, 한국어)"),
            task="nli",
            language="ko",
            folder="kornlu/KorNLI",
            files=(
                UpstreamFile("xnli.dev.ko.tsv", f"{kornlu}/KorNLI/xnli.dev.ko.tsv"),
                UpstreamFile("xnli.test.ko.tsv", f"{kornlu}/KorNLI/xnli.test.ko.tsv"),
            ),
            splits=with_validation(
                "kornli",
                partial(parsers.kornli, file="xnli.dev.ko.tsv"),
                partial(parsers.kornli, file="xnli.test.ko.tsv"),
            ),
            labels=("entailment", "neutral", "contradiction"),
            licence="CC BY-SA 4.0",
            homepage="https://github.com/kakaobrain/KorNLUDatasets",
            split_note="train = xnli.dev.ko.tsv (90%), validation = its other 10%, "
            "test = xnli.test.ko.tsv.",
        ),
        DatasetSpec(
            name="korsts",
            title=Text("KorSTS (sentence similarity, Korean)", "KorSTS(문장 유사도, 한국어)"),
            task="similarity",
            language="ko",
            folder="kornlu/KorSTS",
            files=tuple(
                UpstreamFile(f"sts-{part}.tsv", f"{kornlu}/KorSTS/sts-{part}.tsv")
                for part in ("train", "dev", "test")
            ),
            splits={
                "train": SplitRule(partial(parsers.korsts, file="sts-train.tsv")),
                "validation": SplitRule(partial(parsers.korsts, file="sts-dev.tsv")),
                "test": SplitRule(partial(parsers.korsts, file="sts-test.tsv")),
            },
            licence="CC BY-SA 4.0",
            homepage="https://github.com/kakaobrain/KorNLUDatasets",
            split_note="upstream's train / dev / test; a similarity score 0-5, no labels.",
        ),
        DatasetSpec(
            name="chatbot_data",
            title=Text(
                "Chatbot_data (Korean chit-chat Q/A)", "Chatbot_data(한국어 일상 대화 질문·답변)"
            ),
            task="ranking",
            language="ko",
            folder="chatbot_data",
            files=(
                UpstreamFile(
                    "ChatbotData.csv", f"{_RAW}/songys/Chatbot_data/master/ChatbotData.csv"
                ),
            ),
            splits={
                "all": SplitRule(parsers.chatbot_data),
                **three_ways("chatbot_data", parsers.chatbot_data),
            },
            labels=tuple(parsers.CHATBOT_LABELS.values()),
            licence="MIT",
            homepage="https://github.com/songys/Chatbot_data",
            split_note="'all' = the whole file (the answer index); label = topic "
            "(everyday / breakup / love); test = 20% by hash.",
        ),
    ]
    return {spec.name: spec for spec in specs}


DATASETS: dict[str, DatasetSpec] = _build_registry()
