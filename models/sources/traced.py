"""One text at a time, about twice as fast on CPU: the encoder traced, frozen and fused by oneDNN.

A chat turn embeds one short text, and eager PyTorch spends most of its ~27 ms on per-operator
overhead. The same weights traced by TorchScript, frozen, with oneDNN graph fusion, answer in
~15 ms with the same output (checked against eager when it is built: if they differ, or tracing
fails, the eager path stays). oneDNN compiles kernels per input shape, which costs 0.1-0.5 s the
first time, so a text is padded to one of a few lengths (``BUCKETS``), the short ones compiled
when the encoder is built; the attention mask keeps the padding out of the result.
"""

from __future__ import annotations

import logging
import threading
import warnings
from typing import Any

import numpy as np

from models.core.settings import get_settings
from models.sources.loading import LoadedEmbedder, load_once

BUCKETS = (16, 32, 64, 128, 256, 512)
WARM = (16, 32)  # most chat messages fit in 32 tokens
TOLERANCE = 1e-4  # largest difference from eager accepted (float32 noise is ~1e-6)
PROBES = ("query: 안녕하세요, 오늘 날씨 어때?", "query: how do I reset my password")
_fusion_lock = threading.Lock()
log = logging.getLogger(__name__)


class TracedEncoder:
    """The embedder's transformer traced for single texts; the pooling modules run as usual."""

    def __init__(self, embedder: LoadedEmbedder) -> None:
        import torch

        self.model = embedder.model
        transformer = self.model[0].model.eval()
        with _fusion_lock:
            torch.jit.enable_onednn_fusion(True)
        example = self._features(PROBES[0], "")
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # TracerWarnings about branches the probe settles
            traced = torch.jit.trace(
                transformer, (example["input_ids"], example["attention_mask"]),
                strict=False, check_trace=False,
            )  # fmt: skip
            self.traced = torch.jit.freeze(traced)
        for probe in PROBES:  # compiles the short buckets, and checks the result
            difference = np.abs(self.encode(probe, "") - self._eager(probe)).max()
            if difference > TOLERANCE:
                raise ValueError(f"the traced encoder differs from eager by {difference:.2g}")
        for bucket in WARM:
            self.encode("x " * (bucket - 4), "")

    def _features(self, text: str, prompt: str) -> dict[str, Any]:
        """Tokens of one text, padded to the next bucket (masked)."""
        import torch

        features = self.model.preprocess([text], prompt=prompt or None)
        length = features["input_ids"].shape[1]
        extra = next((b for b in BUCKETS if b >= length), length) - length
        if extra:
            pad = self.model.tokenizer.pad_token_id or 0
            pad_right = torch.nn.functional.pad
            features["input_ids"] = pad_right(features["input_ids"], (0, extra), value=pad)
            features["attention_mask"] = pad_right(features["attention_mask"], (0, extra), value=0)
        return features

    def _eager(self, text: str) -> np.ndarray:
        import torch

        with torch.inference_mode():
            features = self.model.preprocess([text])
            vector = self.model(features)["sentence_embedding"]
            return torch.nn.functional.normalize(vector.float(), dim=-1).numpy()

    def encode(self, text: str, prompt: str) -> np.ndarray:
        """The L2-normalised embedding of ``text``: shape (1, dim)."""
        import torch

        features = self._features(text, prompt)
        with torch.no_grad():
            output = self.traced(features["input_ids"], features["attention_mask"])
            hidden = output["last_hidden_state"] if isinstance(output, dict) else output[0]
            features = {**features, "token_embeddings": hidden}
            for module in list(self.model)[1:]:
                features = module(features)
            vector = features["sentence_embedding"]
            return torch.nn.functional.normalize(vector.float(), dim=-1).numpy()


def traced_encoder(embedder: LoadedEmbedder) -> TracedEncoder | None:
    """The traced encoder of a CPU sentence-transformers model; None where it cannot be made."""
    if not get_settings().traced_queries or str(embedder.model.device) != "cpu":
        return None
    if not hasattr(embedder.model[0], "model"):
        return None

    def build() -> TracedEncoder | None:
        try:
            return TracedEncoder(embedder)
        except Exception as err:  # any failure keeps the eager path, which is always right
            log.warning("queries use eager PyTorch for %s: %s", embedder.resolved.ref, err)
            return None

    return load_once(("traced-encoder", embedder.resolved.path, id(embedder.model)), build)
