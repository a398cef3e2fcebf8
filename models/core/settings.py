"""Settings: one dataclass with defaults; environment variables override them here and only here."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

APP_NAME = "nlp-playground"


def _user_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME))


def _user_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME))


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Where the app keeps converted models, datasets and runs, and what it may download."""

    cache_dir: Path = field(
        default_factory=_user_cache_dir,
        metadata={
            "env": "PLAYGROUND_CACHE",
            "help": "Converted packaged models (e5, SmolLM2) live here.",
        },
    )
    data_home: Path = field(
        default_factory=lambda: _user_data_dir() / "datasets",
        metadata={
            "env": "PLAYGROUND_DATA_HOME",
            "help": "Datasets, with the same folder and file names as upstream.",
        },
    )
    runs_dir: Path = field(
        default_factory=lambda: _user_data_dir() / "runs",
        metadata={"env": "PLAYGROUND_RUNS", "help": "Fine-tuning runs: checkpoints and records."},
    )
    allow_downloads: bool = field(
        default=True,
        metadata={
            "env": "PLAYGROUND_DOWNLOADS",
            "help": "Download missing datasets from their upstream URLs (set 0 to never try).",
        },
    )
    hub_offline: bool = field(
        default=False,
        metadata={"env": "HF_HUB_OFFLINE", "help": "Never contact the Hugging Face Hub."},
    )
    max_upload_rows: int = field(
        default=20_000,
        metadata={"env": "PLAYGROUND_MAX_UPLOAD_ROWS", "help": "Largest uploaded file, in rows."},
    )
    download_timeout_s: float = field(
        default=10.0,
        metadata={"env": "PLAYGROUND_DOWNLOAD_TIMEOUT", "help": "Seconds to wait for a server."},
    )
    generation_timeout_s: float = field(
        default=60.0,
        metadata={
            "env": "PLAYGROUND_GENERATION_TIMEOUT",
            "help": "Seconds an API server may stay silent (before its first token, or between "
            "two) before the request is given up.",
        },
    )
    qdrant_url: str = field(
        default="",
        metadata={
            "env": "PLAYGROUND_QDRANT_URL",
            "help": "A Qdrant server or cluster for the answer-ranking index when Qdrant is "
            "chosen (empty: Qdrant's embedded local mode, in the cache folder).",
        },
    )
    qdrant_api_key: str = field(
        default="",
        repr=False,
        metadata={"env": "PLAYGROUND_QDRANT_API_KEY", "help": "The Qdrant server's API key."},
    )
    traced_queries: bool = field(
        default=True,
        metadata={
            "env": "PLAYGROUND_TRACED_QUERIES",
            "help": "Embed single queries with a traced, oneDNN-fused copy of the encoder on CPU "
            "(about twice as fast, same vectors); 0 keeps eager PyTorch.",
        },
    )
    prepare: bool = field(
        default=True,
        metadata={
            "env": "PLAYGROUND_PREPARE",
            "help": "On start-up, prepare what the tabs need in the background (conversions, the "
            "answer-ranking index, each task's default model); 0 turns it off.",
        },
    )
    prepare_minutes: float = field(
        default=3.0,
        metadata={
            "env": "PLAYGROUND_PREPARE_MINUTES",
            "help": "The training budget of each default model the preparation trains.",
        },
    )
    hosted: bool = field(
        default_factory=lambda: bool(os.environ.get("SPACE_ID", "").strip()),
        metadata={
            "env": "PLAYGROUND_HOSTED",
            "help": "Public hosting (on by itself on Hugging Face Spaces, where SPACE_ID is set): "
            "anonymous users cannot change what everyone gets (task defaults, conversions, "
            "preparation, runs), their trained models stay in their session, typed local paths "
            "are refused and messages name no server folder.",
        },
    )
    operators: str = field(
        default="",
        metadata={
            "env": "PLAYGROUND_OPERATORS",
            "help": "Comma-separated user names (Gradio auth or Hugging Face sign-in) who may "
            "change shared state in hosted mode.",
        },
    )
    api_hosts: str = field(
        default="",
        metadata={
            "env": "PLAYGROUND_API_HOSTS",
            "help": "In hosted mode, the only hosts an OpenAI-compatible base URL may name "
            "(comma-separated), so a public server never connects where a visitor points it.",
        },
    )
    max_text_chars: int = field(
        default=10_000,
        metadata={"env": "PLAYGROUND_MAX_TEXT_CHARS", "help": "Longest text a request may send."},
    )
    max_labels: int = field(
        default=50,
        metadata={"env": "PLAYGROUND_MAX_LABELS", "help": "Most zero-shot labels in one request."},
    )
    max_eval_rows: int = field(
        default=10_000,
        metadata={
            "env": "PLAYGROUND_MAX_EVAL_ROWS",
            "help": "Most rows one evaluation from the page or the API may score.",
        },
    )
    max_train_rows: int = field(
        default=200_000,
        metadata={"env": "PLAYGROUND_MAX_TRAIN_ROWS", "help": "Most training rows in one run."},
    )
    max_epochs: float = field(
        default=20.0,
        metadata={"env": "PLAYGROUND_MAX_EPOCHS", "help": "Most passes over the training rows."},
    )
    max_lora_rank: int = field(
        default=256,
        metadata={"env": "PLAYGROUND_MAX_LORA_RANK", "help": "Largest LoRA rank a run may ask."},
    )
    max_run_minutes: float = field(
        default=60.0,
        metadata={
            "env": "PLAYGROUND_MAX_RUN_MINUTES",
            "help": "A run started from the page or the API is stopped after this long (what "
            "finished is kept), so nobody holds the one training slot for hours.",
        },
    )
    max_upload_mb: float = field(
        default=20.0,
        metadata={"env": "PLAYGROUND_MAX_UPLOAD_MB", "help": "Largest uploaded file, in MB."},
    )
    max_loaded_models: int = field(
        default=12,
        metadata={
            "env": "PLAYGROUND_MAX_LOADED_MODELS",
            "help": "Models kept loaded at once; the least recently used is dropped beyond this.",
        },
    )


def get_settings() -> Settings:
    """Settings from the defaults, overridden by any environment variable each field names."""
    overrides: dict[str, object] = {}
    for f in fields(Settings):
        raw = os.environ.get(f.metadata["env"], "").strip()
        if not raw:
            continue
        if f.type in ("Path", Path):
            overrides[f.name] = Path(raw).expanduser()
        elif f.type in ("bool", bool):
            overrides[f.name] = _truthy(raw)
        elif f.type in ("int", int):
            overrides[f.name] = int(raw)
        elif f.type in ("float", float):
            overrides[f.name] = float(raw)
        elif f.type in ("str", str):
            overrides[f.name] = raw
    return Settings(**overrides)
