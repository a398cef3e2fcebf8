"""The Generation tab's named endpoint: ``/generate``."""

from __future__ import annotations

from demos.generate.run import checked_target
from demos.safety import api_guard
from models.core import inputs
from models.generate.params import GenerationParams
from models.generate.run import generate
from models.generate.techniques import check_input, load_techniques


@api_guard
def generate_api(
    text: str, technique: str = "zero-shot", backend: str = "local", model: str = "",
    base_url: str = "", api_key: str = "", temperature: float = 0.7, top_p: float = 0.95,
    max_new_tokens: int = 128, repetition_penalty: float = 1.1, stop: list[str] | None = None,
    seed: int | None = 0,
) -> dict:  # fmt: skip
    """Generate a reply with a built-in technique.

    Args:
        text: the input, up to 20,000 characters.
        temperature: 0 to 2 (0: greedy). top_p: 0.01 to 1. max_new_tokens: 1 to 2048.
        repetition_penalty: 1 to 2 (local models). stop: up to 4 sequences of up to 64
            characters. seed: 0 to 2**31 - 1, or None.

    Returns:
        {"text", "messages", "usage": {"prompt_tokens", "completion_tokens"}, "latency_s",
        "ttft_s", "tokens_per_s", "model", "cost_usd", "json_error"}, or {"error": message}.
    """
    text = check_input(text)
    techniques = load_techniques()
    chosen = techniques[inputs.choice(technique, "technique", techniques)]
    target = checked_target(backend, model, base_url, api_key)
    params = GenerationParams.build(
        temperature, top_p, max_new_tokens, repetition_penalty, stop, seed
    )
    return generate(text, chosen, params=params, **target).as_api()
