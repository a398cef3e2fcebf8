"""The app shell: no side effects on import, the tabs, the Models & data API, the command line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from models.core.device import describe_device
from models.datasets.specs import DATASETS
from models.sources.packaged import PACKAGED
from tests.conftest import ROOT

TABS = ["Classification", "Generation", "Answer ranking", "Fine-tuning", "Models & data"]
TAB_IDS = ["classification", "generation", "ranking", "finetune", "models"]


def _run_python(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_import_has_no_side_effects():
    out = _run_python(
        "import sys, app; print(sorted(m for m in ('gradio', 'torch', 'transformers') "
        "if m in sys.modules)); print(app._demo is None)"
    )
    assert out.splitlines() == ["[]", "True"]


def test_building_the_app_loads_no_model_and_no_torch():
    out = _run_python(
        "import sys, app; d = app.demo; print(type(d).__name__); "
        "print([m for m in ('torch', 'transformers', 'sentence_transformers', 'peft') "
        "if m in sys.modules])"
    )
    assert out.splitlines() == ["Blocks", "[]"]


def test_the_page_has_every_tab():
    import gradio as gr

    import app

    blocks = app.create_app()
    page_tabs = next(b for b in blocks.blocks.values() if isinstance(b, gr.Tabs))
    # The names as built (the page then shows them through Gradio's translations).
    assert [tab.constructor_args["label"] for tab in page_tabs.children] == TABS


def test_models_overview_api_lists_packaged_models_and_datasets(client):
    summary, tasks, packaged_rows, datasets_rows = client.predict(api_name="/models_overview")
    # CPU here, CUDA on a GPU machine: the summary names whichever this machine has.
    assert f"**Device:** {describe_device()}" in summary
    assert "PLAYGROUND_DATA_HOME" in summary
    packaged_names = [row[0] for row in packaged_rows["data"]]
    assert packaged_names == [m.ref for m in PACKAGED.values()]
    dataset_rows = {row[0]: row for row in datasets_rows["data"]}
    assert set(dataset_rows) == set(DATASETS)
    source = datasets_rows["headers"].index("source")
    assert all(row[source].startswith("data home") for row in dataset_rows.values())
    task_names = [row[0] for row in tasks["data"]]
    assert "Sentiment (Korean)" in task_names and "Generation (local model)" in task_names


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_page(process: subprocess.Popen, port: int) -> None:
    status = None
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and status != 200:
        try:
            status = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).status
        except OSError:
            assert process.poll() is None, process.stdout.read().decode()
            time.sleep(0.3)
    assert status == 200


@pytest.mark.parametrize("how", ["flag", "env"])
def test_python_app_py_serves_the_page(how):
    port = _free_port()
    env = dict(os.environ)
    args = [sys.executable, "app.py"]
    if how == "flag":
        args += ["--host", "127.0.0.1", "--port", str(port)]
    else:
        env.update(GRADIO_SERVER_NAME="127.0.0.1", GRADIO_SERVER_PORT=str(port))
    process = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        _wait_for_page(process, port)
    finally:
        process.terminate()
        process.wait(timeout=30)
