"""The OpenAI API and any OpenAI-compatible server, through the ``openai`` client, streamed.

Each failure becomes one sentence the user can act on (a refused key, a rate limit, a server
error, a stall, a server that is not there), within the request timeout: no retries, a connect
timeout of a few seconds and a read timeout between streamed chunks. The key is passed to the
client and nowhere else; any text that reaches the user is scrubbed of it.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any
from urllib.parse import urlparse

from models.core.errors import PlaygroundError
from models.core.i18n import Text
from models.core.settings import get_settings
from models.generate.request import Delta, Done, Request, Stream

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
CONNECT_TIMEOUT_S = 5.0
MAX_SERVER_TEXT = 200  # characters of a server's own error message passed on


def scrub(text: str, secret: str) -> str:
    """``text`` without the secret, nor a long piece of it (servers quote keys in part)."""
    if secret:
        text = text.replace(secret, "[key]")
        if len(secret) > 12:
            text = text.replace(secret[:8], "[key]").replace(secret[-6:], "[key]")
    return text


def check_url(base_url: str) -> str:
    url = (base_url or "").strip()
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise PlaygroundError(
            Text(
                "Type the server's base URL, starting with http:// or https:// (for example "
                "http://localhost:8000/v1).",
                "서버의 기본 URL을 http:// 또는 https://로 시작하게 입력하세요(예: "
                "http://localhost:8000/v1).",
            )
        )
    settings = get_settings()
    allowed = {h.strip().lower() for h in settings.api_hosts.split(",") if h.strip()}
    if settings.hosted and (parsed.hostname or "").lower() not in allowed:
        # A visitor must not make a public server connect to its own network or anyone else's.
        hosts = ", ".join(sorted(allowed)) or Text("none", "없음")
        raise PlaygroundError(
            Text(
                "On this public server, OpenAI-compatible servers are limited to the hosts its "
                "operator allows ({hosts}; PLAYGROUND_API_HOSTS). The OpenAI backend works with "
                "your own key.",
                "이 공개 서버에서는 운영자가 허용한 호스트의 OpenAI 호환 서버만 쓸 수 있습니다"
                "({hosts}; PLAYGROUND_API_HOSTS). OpenAI 백엔드는 본인의 키로 쓸 수 있습니다.",
                hosts=hosts,
            )
        )
    return url


def _client(request: Request, compatible: bool) -> Any:
    import httpx
    from openai import OpenAI

    if not compatible and not request.api_key.strip():
        raise PlaygroundError(
            Text(
                "Type your OpenAI API key: it stays in this browser session, never on the "
                "server's disk or in its logs.",
                "OpenAI API 키를 입력하세요. 키는 이 브라우저 세션에만 머물고, 서버의 디스크나 "
                "로그에는 남지 않습니다.",
            )
        )
    timeout = httpx.Timeout(get_settings().generation_timeout_s, connect=CONNECT_TIMEOUT_S)
    return OpenAI(
        api_key=request.api_key.strip() or "not-needed",
        base_url=check_url(request.base_url) if compatible else (request.base_url or None),
        timeout=timeout, max_retries=0,
    )  # fmt: skip


def _where(request: Request, compatible: bool) -> str:
    return request.base_url.strip() if compatible else Text("the OpenAI API", "OpenAI API")


# One sentence per kind of failure; {where} is the server's URL or the OpenAI API.
FAILURES = {
    "key": Text("{where} refused the API key (HTTP 401): check the key.",
                "{where}에서 API 키를 거부했습니다(HTTP 401). 키를 확인하세요."),
    "denied": Text("{where} denied access (HTTP 403): the key may not have access to this model.",
                   "{where}에서 접근을 거부했습니다(HTTP 403). 이 키로는 이 모델을 쓸 수 없는 것 "
                   "같습니다."),
    "rate": Text("{where} is rate-limiting these requests (HTTP 429): wait a moment, or check "
                 "the account's quota.",
                 "{where}에서 요청 속도를 제한하고 있습니다(HTTP 429). 잠시 기다리거나 계정의 "
                 "사용 한도를 확인하세요."),
    "model": Text("{where} does not know the model '{model}' (HTTP 404).",
                  "{where}에 '{model}' 모델이 없습니다(HTTP 404)."),
    "timeout": Text("{where} sent nothing for {timeout:g} s; the request was given up.",
                    "{where}에서 {timeout:g}초 동안 아무것도 오지 않아 요청을 중단했습니다."),
    "connect": Text("Could not connect to {where}: is the server running, and the URL right?",
                    "{where}에 연결할 수 없습니다. 서버가 실행 중인지, URL이 맞는지 확인하세요."),
    "status": Text("{where} answered with an error (HTTP {status}): {detail}",
                   "{where}에서 오류로 응답했습니다(HTTP {status}): {detail}"),
    "other": Text("{where} failed: {detail}", "{where} 요청이 실패했습니다: {detail}"),
}  # fmt: skip


def _failure(kind: str, key: str, **params: object) -> PlaygroundError:
    """The sentence for ``kind``, every value in it scrubbed of the key."""
    clean = {k: scrub(v, key) if type(v) is str else v for k, v in params.items()}
    template = FAILURES[kind]
    return PlaygroundError(Text(template.en, template.ko, **clean))


def explain(err: Exception, request: Request, compatible: bool) -> PlaygroundError:
    """One sentence for an ``openai`` error, without the key."""
    import openai

    where, key = _where(request, compatible), request.api_key
    if isinstance(err, openai.AuthenticationError):
        return _failure("key", key, where=where)
    if isinstance(err, openai.PermissionDeniedError):
        return _failure("denied", key, where=where)
    if isinstance(err, openai.RateLimitError):
        return _failure("rate", key, where=where)
    if isinstance(err, openai.NotFoundError):
        return _failure("model", key, where=where, model=request.model)
    if isinstance(err, openai.APITimeoutError):
        return _failure("timeout", key, where=where, timeout=get_settings().generation_timeout_s)
    if isinstance(err, openai.APIConnectionError):
        return _failure("connect", key, where=where)
    if isinstance(err, openai.APIStatusError):
        detail = scrub(str(getattr(err, "message", "") or err), key)[:MAX_SERVER_TEXT]
        return _failure("status", key, where=where, status=err.status_code, detail=detail)
    return _failure("other", key, where=where, detail=scrub(str(err), key)[:MAX_SERVER_TEXT])


def _create(client: Any, request: Request, compatible: bool) -> Any:
    params = request.params
    kwargs: dict[str, Any] = {
        "model": request.model or DEFAULT_OPENAI_MODEL, "messages": request.messages,
        "stream": request.stream, "temperature": params.temperature, "top_p": params.top_p,
    }  # fmt: skip
    if request.stream:
        kwargs["stream_options"] = {"include_usage": True}
    # OpenAI's newer models take max_completion_tokens; servers that copy the API take max_tokens.
    kwargs["max_tokens" if compatible else "max_completion_tokens"] = params.max_new_tokens
    if params.stop:
        kwargs["stop"] = list(params.stop)
    if params.seed is not None:
        kwargs["seed"] = params.seed
    return client.chat.completions.create(**kwargs)


def _model_or_first(client: Any, request: Request, compatible: bool) -> Request:
    """A compatible server's first listed model when none was typed."""
    if request.model or not compatible:
        return request
    models = client.models.list()
    first = next(iter(models), None)
    if first is None:
        raise PlaygroundError(
            Text("{url} lists no model: type the model's name.",
                 "{url}의 모델 목록이 비어 있습니다. 모델 이름을 입력하세요.", url=request.base_url)
        )  # fmt: skip
    return replace(request, model=first.id)


def _whole(response: Any, model: str) -> Stream:
    """A reply that came in one piece."""
    choice = response.choices[0] if response.choices else None
    if choice is not None and choice.message and choice.message.content:
        yield Delta(choice.message.content)
    usage = response.usage
    yield Done(
        response.model or model, usage.prompt_tokens if usage else None,
        usage.completion_tokens if usage else None, choice.finish_reason if choice else "",
    )  # fmt: skip


def stream_remote(request: Request, stop: threading.Event, compatible: bool) -> Stream:
    """Stream a chat completion from the OpenAI API or a compatible server.

    Raises:
        PlaygroundError: a missing key or URL, or any error of the server, in one sentence.
    """
    import openai

    client = _client(request, compatible)
    prompt_tokens = completion_tokens = None
    model, reason, pieces = request.model, "", 0
    try:
        request = _model_or_first(client, request, compatible)
        model = request.model or DEFAULT_OPENAI_MODEL
        if not request.stream:
            yield from _whole(_create(client, request, compatible), model)
            return
        with _create(client, request, compatible) as stream:
            for chunk in stream:
                if stop.is_set():
                    reason = "stopped"
                    break
                model = chunk.model or model
                if chunk.usage is not None:
                    prompt_tokens = chunk.usage.prompt_tokens
                    completion_tokens = chunk.usage.completion_tokens
                for choice in chunk.choices or []:
                    if choice.delta and choice.delta.content:
                        pieces += 1
                        yield Delta(choice.delta.content)
                    reason = choice.finish_reason or reason
    except openai.OpenAIError as err:
        raise explain(err, request, compatible) from None
    if completion_tokens is None and pieces:
        # No usage from this server (llama.cpp's, for one): servers stream about a token per
        # chunk, so the count of chunks stands in, marked as an estimate.
        yield Done(model, prompt_tokens, pieces, reason, estimated=True)
        return
    yield Done(model, prompt_tokens, completion_tokens, reason)
