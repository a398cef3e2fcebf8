"""The Generation tab's named endpoint: ``/generate``."""

from __future__ import annotations

from models.core.errors import PlaygroundError
from models.generate.params import GenerationParams
from models.generate.run import generate
from models.generate.techniques import load_techniques


def generate_api(
    text: str, technique: str = "zero-shot", backend: str = "local", model: str = "",
    base_url: str = "", api_key: str = "", temperature: float = 0.7, top_p: float = 0.95,
    max_new_tokens: int = 128, repetition_penalty: float = 1.1, stop: list[str] | None = None,
    seed: int | None = 0,
) -> dict:  # fmt: skip
    """Generate a reply with a built-in technique.

    Returns:
        {"text", "messages", "usage": {"prompt_tokens", "completion_tokens"}, "latency_s",
        "ttft_s", "tokens_per_s", "model", "cost_usd", "json_error"}, or {"error": message}.
    """
    try:
        techniques = load_techniques()
        if technique not in techniques:
            raise PlaygroundError(
                f"Unknown technique '{technique}'. Choose one of: {', '.join(techniques)}."
            )
        params = GenerationParams.build(
            temperature, top_p, max_new_tokens, repetition_penalty, stop or [], seed
        )
        result = generate(text, techniques[technique], backend, model=model, params=params,
                          base_url=base_url, api_key=api_key)  # fmt: skip
    except PlaygroundError as err:
        return {"error": str(err)}
    return result.as_api()
