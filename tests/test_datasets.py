"""Dataset registry: upstream formats read exactly, splits, downloads, the sample fallback."""

from __future__ import annotations

import dataclasses
import functools
import http.server
import shutil
import tarfile
import threading

import pytest

from models.core.errors import DatasetError
from models.datasets.download import _unreachable_hosts
from models.datasets.registry import load_dataset, locate
from models.datasets.specs import DATASETS
from tests.conftest import SHARED_DATA

# Facts stated by ../shared/datasets/README.md (rows per upstream file, and label counts).
UPSTREAM_COUNTS = {
    ("nsmc", ("train", "validation")): 150_000,
    ("nsmc", ("test",)): 5_000,
    ("snips", ("train", "validation")): 13_784,
    ("snips", ("test",)): 700,
    ("clinc150", ("train",)): 15_000,
    ("clinc150", ("validation",)): 3_000,
    ("clinc150", ("test",)): 4_500,
    ("clinc150", ("oos_test",)): 1_000,
    ("banking77", ("train", "validation")): 10_003,
    ("banking77", ("test",)): 3_080,
    ("kornli", ("train", "validation")): 2_490,
    ("kornli", ("test",)): 5_010,
    ("chatbot_data", ("all",)): 11_823,
    ("chatbot_data", ("train", "validation", "test")): 11_823,
    ("vader", ("tweets",)): 4_200 - 4,  # 4 tweets have a mean rating of exactly 0
    ("vader", ("train", "validation", "test")): 10_605 - 37,  # 37 snippets rated exactly 0
}
LABEL_COUNTS = {
    "nsmc": 2,
    "vader": 2,
    "snips": 7,
    "clinc150": 150,
    "banking77": 77,
    "kornli": 3,
    "chatbot_data": 3,
}


@pytest.fixture(autouse=True)
def _real_data_home(monkeypatch):
    assert (SHARED_DATA / "nsmc" / "ratings_train.txt").is_file(), (
        f"The tests read the real datasets from {SHARED_DATA}; it is missing."
    )
    monkeypatch.setenv("PLAYGROUND_DATA_HOME", str(SHARED_DATA))


@pytest.mark.parametrize(("name", "splits"), list(UPSTREAM_COUNTS), ids=str)
def test_rows_match_the_upstream_files(name, splits):
    total = sum(len(load_dataset(name, split).frame) for split in splits)
    assert total == UPSTREAM_COUNTS[(name, splits)]


@pytest.mark.parametrize("name", list(LABEL_COUNTS))
def test_label_sets(name):
    train = load_dataset(name, "train")
    assert train.frame["label"].nunique() == LABEL_COUNTS[name]
    assert set(train.frame["label"]) <= set(train.labels)
    assert train.frame["label"].notna().all()


def test_every_dataset_is_in_the_shared_data_home():
    for name in DATASETS:
        assert locate(name)[1] == "data home", name


def test_korsts_has_scores_and_upstream_splits():
    assert [len(load_dataset("korsts", s).frame) for s in ("train", "validation", "test")] == [
        5_749,
        1_500,
        1_379,
    ]
    scores = load_dataset("korsts", "test").frame["score"]
    assert scores.between(0, 5).all()


def test_upstream_quirks_are_handled():
    # KorNLI text holds unescaped double quotes; a default CSV reader would merge rows.
    kornli = load_dataset("kornli", "train").frame
    assert kornli["text"].str.contains('"').any()
    assert set(kornli["label"]) == {"entailment", "neutral", "contradiction"}
    # One SNIPS file stores an emoji as CESU-8 surrogates; it must decode, not crash or vanish.
    snips = load_dataset("snips", "train").frame
    assert snips["text"].str.contains("Pop Punk Perfection").any()
    # Chatbot_data has a label written "2   ".
    assert set(load_dataset("chatbot_data", "all").frame["label"]) == {
        "everyday",
        "breakup",
        "love",
    }
    # VADER: label is the sign of the mean rating.
    vader = load_dataset("vader", "test").frame
    assert ((vader["score"] > 0) == (vader["label"] == "positive")).all()


def test_carved_splits_are_disjoint_and_deterministic():
    train = load_dataset("nsmc", "train").frame
    validation = load_dataset("nsmc", "validation").frame
    assert not set(train["text"]) & set(validation["text"])
    assert 0.08 < len(validation) / (len(train) + len(validation)) < 0.12
    again = load_dataset("nsmc", "validation").frame
    assert list(again["id"]) == list(validation["id"])
    vader = {
        s: set(load_dataset("vader", s).frame["text"]) for s in ("train", "validation", "test")
    }
    assert not vader["train"] & vader["test"]
    assert not vader["validation"] & vader["test"]


def test_unknown_dataset_and_split_give_clear_errors():
    with pytest.raises(DatasetError, match="Unknown dataset 'imdb'.*nsmc"):
        load_dataset("imdb")
    with pytest.raises(DatasetError, match="no split 'dev'.*train, validation, test"):
        load_dataset("nsmc", "dev")


def test_missing_dataset_offline_falls_back_to_the_sample_and_says_so(isolated_settings):
    loaded = load_dataset("nsmc", "train", allow_download=False)
    assert loaded.source == "sample"
    assert "downloads are switched off" in loaded.note
    assert "built-in sample" in loaded.describe()
    assert 10 < len(loaded.frame) < 200
    assert set(loaded.frame["label"]) == {"negative", "positive"}


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_sample_parses_with_the_upstream_parser(name, isolated_settings):
    spec = DATASETS[name]
    for split in spec.splits:
        loaded = load_dataset(name, split, allow_download=False)
        assert loaded.source == "sample"
        assert len(loaded.frame) > 0, (name, split)


def test_failed_download_falls_back_to_the_sample(isolated_settings, upstream_server, monkeypatch):
    _root, base = upstream_server
    _point_at(monkeypatch, "clinc150", base, {"data_full.json": "not-there.json"})
    loaded = load_dataset("clinc150", "train", isolated_settings, allow_download=True)
    assert loaded.source == "sample"
    assert "download failed" in loaded.note
    assert not (isolated_settings.data_home / "clinc150" / "data_full.json").exists()


@pytest.fixture
def upstream_server(tmp_path):
    """A local HTTP server standing in for raw.githubusercontent.com."""
    root = tmp_path / "upstream"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _point_at(monkeypatch, name: str, base: str, names: dict[str, str]) -> None:
    spec = DATASETS[name]
    files = tuple(
        dataclasses.replace(f, url=f"{base}/{names[f.url.rsplit('/', 1)[-1]]}") for f in spec.files
    )
    monkeypatch.setitem(DATASETS, name, dataclasses.replace(spec, files=files))


def test_download_from_upstream_into_the_data_home(isolated_settings, upstream_server, monkeypatch):
    root, base = upstream_server
    shutil.copy(SHARED_DATA / "banking77" / "train.csv", root / "train.csv")
    shutil.copy(SHARED_DATA / "banking77" / "test.csv", root / "test.csv")
    shutil.copy(SHARED_DATA / "banking77" / "categories.json", root / "categories.json")
    _point_at(
        monkeypatch,
        "banking77",
        base,
        {"train.csv": "train.csv", "test.csv": "test.csv", "categories.json": "categories.json"},
    )
    loaded = load_dataset("banking77", "test", isolated_settings, allow_download=True)
    assert loaded.source == "downloaded"
    assert len(loaded.frame) == 3_080
    home = isolated_settings.data_home / "banking77"
    assert sorted(p.name for p in home.iterdir()) == ["categories.json", "test.csv", "train.csv"]
    # Second time it is simply in the data home.
    assert load_dataset("banking77", "test", isolated_settings).source == "data home"


def test_download_extracts_members_of_the_vader_archive(
    isolated_settings, upstream_server, monkeypatch
):
    root, base = upstream_server
    with tarfile.open(root / "hutto.tar.gz", "w:gz") as archive:
        for name in ("movieReviewSnippets_GroundTruth.txt", "tweets_GroundTruth.txt"):
            archive.add(SHARED_DATA / "vader" / name, arcname=f"hutto_ICWSM_2014/{name}")
    _point_at(monkeypatch, "vader", base, {"hutto_ICWSM_2014.tar.gz": "hutto.tar.gz"})
    loaded = load_dataset("vader", "tweets", isolated_settings, allow_download=True)
    assert loaded.source == "downloaded"
    assert len(loaded.frame) == 4_196


def test_a_failed_member_leaves_no_partial_files(isolated_settings, upstream_server, monkeypatch):
    root, base = upstream_server
    with tarfile.open(root / "hutto.tar.gz", "w:gz") as archive:  # one of two members missing
        name = "tweets_GroundTruth.txt"
        archive.add(SHARED_DATA / "vader" / name, arcname=f"hutto_ICWSM_2014/{name}")
    _point_at(monkeypatch, "vader", base, {"hutto_ICWSM_2014.tar.gz": "hutto.tar.gz"})
    loaded = load_dataset("vader", "tweets", isolated_settings, allow_download=True)
    assert loaded.source == "sample"
    assert "does not hold the expected files" in loaded.note
    folder = isolated_settings.data_home / "vader"
    assert not any(p.is_file() for p in folder.rglob("*"))


def test_an_unreachable_host_is_not_retried_in_the_same_process(isolated_settings, monkeypatch):
    _unreachable_hosts.clear()
    # raw.githubusercontent.com does not resolve on an offline machine; the second call must
    # not wait for the network again.
    monkeypatch.setattr(
        "models.datasets.download.urllib.request.urlopen",
        lambda *a, **k: (_ for _ in ()).throw(OSError("no route")),
    )
    first = load_dataset("nsmc", "test", isolated_settings, allow_download=True)
    assert first.source == "sample" and "no route" in first.note
    second = load_dataset("nsmc", "test", isolated_settings, allow_download=True)
    assert "could not be reached earlier" in second.note
    _unreachable_hosts.clear()


def test_a_malformed_upstream_file_is_one_dataset_error(tmp_path):
    from models.datasets import parsers

    (tmp_path / "sts.tsv").write_text("id\tscore\tsentence1\tsentence2\n1\thigh\ta\tb\n")
    with pytest.raises(DatasetError, match="korsts files in .* are not in upstream's format"):
        parsers.korsts(tmp_path, "sts.tsv")
    (tmp_path / "nsmc.txt").write_text("id\tlabel\n1\t0\n")  # no document column
    with pytest.raises(DatasetError, match="no field or column 'document'"):
        parsers.nsmc(tmp_path, "nsmc.txt")
    with pytest.raises(DatasetError, match="missing file data_full.json"):
        parsers.clinc150(tmp_path, ("train",))
