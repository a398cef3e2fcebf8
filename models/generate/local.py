"""The local backend: a transformers causal LM, its chat template, streamed token by token.

``model.generate`` runs in a thread and hands each new token to a streamer that yields text as
soon as it decodes to whole characters (transformers' own text streamer waits for a space, which
delays the first token and never comes in Korean). Stop is a stopping criterion on the event.

Sampling draws from a generator of the request's own, seeded, inside a logits processor, with
``generate`` in greedy mode picking the drawn token: two users sampling at once do not share
torch's global random state, so the same seed and settings give the same text.
"""

from __future__ import annotations

import queue
import threading
from typing import Any

from models.core.errors import PlaygroundError
from models.core.i18n import Text
from models.generate.params import GenerationParams
from models.generate.request import Delta, Done, Request, Stream
from models.generate.techniques import Message
from models.sources.loading import LoadedCausalLM, load_causal_lm
from models.sources.task_models import choose_model

GENERATION_KEY = "generation"  # the task_models.toml entry of the default local model
_END = object()


def default_local_model() -> str:
    return choose_model(GENERATION_KEY).ref


def prompt_ids(loaded: LoadedCausalLM, messages: list[Message]) -> Any:
    """Token ids of the conversation, with the model's chat template when it has one."""
    tokenizer = loaded.tokenizer
    if getattr(tokenizer, "chat_template", None):
        ids = tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )["input_ids"]
    else:  # a base model: a plain transcript it can continue
        text = "".join(f"{m['role'].capitalize()}: {m['content']}\n" for m in messages)
        ids = tokenizer(text + "Assistant:", return_tensors="pt")["input_ids"]
    return ids.to(loaded.model.device)


def context_window(loaded: LoadedCausalLM) -> int:
    config = loaded.model.config
    return int(getattr(config, "max_position_embeddings", 0) or 2048)


def check_fits(loaded: LoadedCausalLM, n_prompt: int, params: GenerationParams) -> None:
    window = context_window(loaded)
    if n_prompt + params.max_new_tokens > window:
        raise PlaygroundError(
            Text(
                "The prompt is {n:,} tokens and {new:,} new tokens would pass the model's context "
                "window of {window:,}: shorten the input, drop examples or lower max new tokens.",
                "프롬프트가 {n:,} 토큰이라 새 토큰 {new:,}개를 더하면 모델의 "
                "컨텍스트 창({window:,} 토큰)을 넘습니다. 입력을 줄이거나, 예시를 빼거나, "
                "최대 새 토큰 수를 낮추세요.",
                n=n_prompt,
                new=params.max_new_tokens,
                window=window,
            )
        )


class SeededSampler:
    """A logits processor that draws the next token itself (temperature, top-p, own generator)
    and leaves only that token possible."""

    def __init__(self, params: GenerationParams, device: str) -> None:
        import torch

        self.temperature, self.top_p = params.temperature, params.top_p
        self.generator = torch.Generator(device=device)
        if params.seed is None:
            self.generator.seed()
        else:
            self.generator.manual_seed(params.seed)

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import torch

        probs = torch.softmax(scores.float() / self.temperature, dim=-1)
        if self.top_p < 1.0:
            sorted_probs, order = probs.sort(dim=-1, descending=True)
            outside = sorted_probs.cumsum(dim=-1) - sorted_probs > self.top_p
            sorted_probs = sorted_probs.masked_fill(outside, 0.0)
            probs = torch.zeros_like(probs).scatter(-1, order, sorted_probs)
        choice = torch.multinomial(probs, 1, generator=self.generator)
        return torch.full_like(scores, float("-inf")).scatter(-1, choice, 0.0)


class PieceStreamer:
    """Receives token ids from ``generate`` and queues text as soon as it is whole characters."""

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer
        self.queue: queue.Queue = queue.Queue()
        self.ids: list[int] = []
        self.sent = 0  # characters of the decoded reply already queued
        self.prompt_seen = False

    def put(self, value: Any) -> None:
        if not self.prompt_seen:  # generate first passes the prompt itself
            self.prompt_seen = True
            return
        self.ids.extend(int(i) for i in value.reshape(-1).tolist())
        text = self.tokenizer.decode(self.ids, skip_special_tokens=True)
        if text.endswith("\ufffd"):  # half of a multi-byte character: wait for the rest
            return
        if len(text) > self.sent:
            self.queue.put(text[self.sent :])
            self.sent = len(text)

    def end(self) -> None:
        """Called by ``generate`` as it finishes: the caller's thread closes the stream itself,
        once ``generate``'s result (or error) is in place."""

    def close(self) -> None:
        self.queue.put(_END)


def _generation_kwargs(loaded: LoadedCausalLM, params: GenerationParams, stop: Any) -> dict:
    from transformers import GenerationConfig, LogitsProcessorList, StoppingCriteriaList

    tokenizer, model = loaded.tokenizer, loaded.model
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    config = GenerationConfig(
        max_new_tokens=params.max_new_tokens, do_sample=False,
        repetition_penalty=params.repetition_penalty, pad_token_id=pad,
        eos_token_id=model.generation_config.eos_token_id or tokenizer.eos_token_id,
        stop_strings=list(params.stop) or None,
    )  # fmt: skip
    kwargs: dict[str, Any] = {"generation_config": config,
                              "stopping_criteria": StoppingCriteriaList([stop])}  # fmt: skip
    if params.temperature > 0:
        sampler = SeededSampler(params, str(model.device))
        kwargs["logits_processor"] = LogitsProcessorList([sampler])
    if params.stop:
        kwargs["tokenizer"] = tokenizer  # stop strings are matched on its tokens
    return kwargs


class _StopOnEvent:
    def __init__(self, event: threading.Event) -> None:
        self.event = event

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        return torch.full((input_ids.shape[0],), self.event.is_set(), dtype=torch.bool,
                          device=input_ids.device)  # fmt: skip


def stream_local(request: Request, stop: threading.Event) -> Stream:
    """Stream the local model's reply.

    Raises:
        PlaygroundError: the model is not a causal LM or cannot be loaded; the prompt does not fit.
    """
    import torch

    loaded = load_causal_lm(request.model or default_local_model())
    ids = prompt_ids(loaded, request.messages)
    n_prompt = int(ids.shape[1])
    check_fits(loaded, n_prompt, request.params)
    streamer = PieceStreamer(loaded.tokenizer)
    kwargs = _generation_kwargs(loaded, request.params, _StopOnEvent(stop))
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            with torch.inference_mode():
                outcome["ids"] = loaded.model.generate(
                    input_ids=ids, attention_mask=torch.ones_like(ids), streamer=streamer, **kwargs
                )
        except Exception as err:  # reported in the caller's thread below
            outcome["error"] = err
        finally:
            streamer.close()

    threading.Thread(target=work, name="local generation", daemon=True).start()
    while (piece := streamer.queue.get()) is not _END:
        yield Delta(piece)
    if "error" in outcome:
        raise PlaygroundError(
            Text("The local model failed: {err}", "로컬 모델 실행에 실패했습니다: {err}",
                 err=str(outcome["error"]))
        ) from outcome["error"]  # fmt: skip
    completion = int(outcome["ids"].shape[1]) - n_prompt
    if stop.is_set():
        reason = "stopped"
    elif completion >= request.params.max_new_tokens:
        reason = "length"
    else:
        reason = "stop"
    yield Done(loaded.resolved.ref, n_prompt, completion, reason)
