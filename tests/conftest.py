"""Test set-up: offline, the real datasets from ../shared as data home, a reusable model cache."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "datasets"
RESULTS = Path(os.environ.get("PLAYGROUND_TEST_RESULTS", ROOT / "results"))

# Before anything imports gradio / huggingface_hub: no telemetry, no Hub, no analytics.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("PLAYGROUND_DATA_HOME", str(SHARED_DATA))
# Converted packaged models are reused between runs (they are slow to build, not to check).
os.environ.setdefault("PLAYGROUND_CACHE", str(ROOT / ".cache" / "playground"))
os.environ.setdefault("PLAYGROUND_DOWNLOADS", "0")
# No test server prepares models in the background unless a test asks for it.
os.environ.setdefault("PLAYGROUND_PREPARE", "0")
# Runs trained by tests go to a throwaway folder, never the user's runs.
os.environ.setdefault("PLAYGROUND_RUNS", tempfile.mkdtemp(prefix="playground-test-runs-"))

import pytest  # noqa: E402


@pytest.fixture
def isolated_settings(tmp_path, monkeypatch):
    """Settings pointing every folder at a fresh temp dir (the model cache stays shared)."""
    from models.core.settings import get_settings

    monkeypatch.setenv("PLAYGROUND_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("PLAYGROUND_RUNS", str(tmp_path / "runs"))
    return get_settings()


@pytest.fixture(scope="session")
def served_app():
    """The whole app served in-process once per test session; yields its URL."""
    import app

    blocks = app.create_app()
    blocks.queue(default_concurrency_limit=2).launch(
        server_name="127.0.0.1", prevent_thread_lock=True, quiet=True, ssr_mode=False,
        **app.launch_options(),
    )  # fmt: skip
    yield blocks.local_url
    blocks.close()


@pytest.fixture(scope="session")
def client(served_app):
    """A gradio_client for the served app."""
    from gradio_client import Client

    return Client(served_app, verbose=False, analytics_enabled=False)
