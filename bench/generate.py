"""Generation with the local model (packaged SmolLM2-135M-Instruct), in one process each.

``generate``: decoding speed through our streaming path (``generate_stream``: chat template,
streamer thread, seeded sampler) against a bare ``model.generate`` with the same model, prompt
and settings (greedy, 128 new tokens, alternating, best of 3); the time to the first streamed
token against the bare prompt forward pass; and, on a served app, the latency of a second user's
``/classify`` while a first user generates 256 tokens through ``/generate``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

from bench.common import ROOT, Result, bench_env, benchmark

SPEED = r"""
import json, time, torch
from models.generate.local import default_local_model, prompt_ids
from models.generate.params import GenerationParams
from models.generate.run import generate_stream
from models.generate.techniques import load_techniques
from models.sources.loading import load_causal_lm

technique = load_techniques()["zero-shot"]
text = "Write a short story about a robot who learns to paint."
params = GenerationParams(temperature=0, max_new_tokens=128, repetition_penalty=1.1, seed=0)
loaded = load_causal_lm(default_local_model())
model, tokenizer = loaded.model, loaded.tokenizer
ids = prompt_ids(loaded, technique.messages(text))
pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id

def bare():
    start = time.perf_counter()
    with torch.inference_mode():
        out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=128,
                             do_sample=False, repetition_penalty=1.1, pad_token_id=pad,
                             min_new_tokens=128)
    return (out.shape[1] - ids.shape[1]) / (time.perf_counter() - start)

def ours():
    last = None
    for last in generate_stream(text, technique, "local", params=params):
        pass
    return last.completion_tokens / last.latency_s, last.ttft_s, last.completion_tokens

def forward():
    start = time.perf_counter()
    with torch.inference_mode():
        model(input_ids=ids, attention_mask=torch.ones_like(ids))
    return time.perf_counter() - start

bare(); ours()  # warm-up
bare_rates, our_rates, ttfts, forwards, counts = [], [], [], [], []
for _ in range(3):
    bare_rates.append(bare())
    rate, ttft, count = ours()
    our_rates.append(rate); ttfts.append(ttft); counts.append(count)
    forwards.append(forward())
print(json.dumps({"bare": max(bare_rates), "ours": max(our_rates), "ttft": min(ttfts),
                  "forward": min(forwards), "tokens": counts, "prompt": int(ids.shape[1])}))
"""

BUSY = r"""
import json, statistics, threading, time
import app
from gradio_client import Client
blocks = app.create_app()
blocks.queue(default_concurrency_limit=2).launch(prevent_thread_lock=True, quiet=True)
url = blocks.local_url
first, second = Client(url, verbose=False), Client(url, verbose=False)
second.predict(text="warm-up", task="sentiment", api_name="/classify")
first.predict(text="warm-up", max_new_tokens=4, api_name="/generate")
idle = []
for _ in range(5):
    start = time.perf_counter()
    second.predict(text="this movie was great", task="sentiment", api_name="/classify")
    idle.append(time.perf_counter() - start)
done = {}
def long_generation():
    done["result"] = first.predict(text="Write a long story about the sea.", max_new_tokens=256,
                                   temperature=0, repetition_penalty=1.1, api_name="/generate")
thread = threading.Thread(target=long_generation)
thread.start()
time.sleep(2.0)  # well into decoding
busy = []
while thread.is_alive() and len(busy) < 5:
    start = time.perf_counter()
    second.predict(text="this movie was great", task="sentiment", api_name="/classify")
    busy.append(time.perf_counter() - start)
thread.join()
blocks.close()
print(json.dumps({"idle_p50": statistics.median(idle), "busy_p50": statistics.median(busy),
                  "busy_n": len(busy), "generated": done["result"]["usage"]["completion_tokens"],
                  "generation_s": done["result"]["latency_s"]}))
"""


def _run(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=bench_env(),
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


@benchmark("generate")
def generate(repeat: int = 1) -> Iterator[Result]:
    speed = _run(SPEED)
    ratio = speed["ours"] / speed["bare"]
    yield Result(
        "local decoding speed, 128 new tokens, greedy, through our streaming path", "tokens/s",
        speed["ours"], speed["bare"], target="ratio >= 0.95", met=ratio >= 0.95,
        notes=f"baseline = bare model.generate, same model / prompt ({speed['prompt']} tokens) "
        f"/ settings; best of 3; our token counts {speed['tokens']}",
    )  # fmt: skip
    budget = speed["forward"] + 0.100
    yield Result(
        "time to the first streamed token", "s", speed["ttft"], speed["forward"],
        target="<= prompt forward + 0.1 s", met=speed["ttft"] <= budget,
        notes="baseline = one bare forward pass over the prompt",
    )  # fmt: skip
    busy = _run(BUSY)
    yield Result(
        "a second user's /classify while the first generates 256 tokens, p50", "s",
        busy["busy_p50"], busy["idle_p50"],
        notes=f"baseline = the same request with the server idle; {busy['busy_n']} requests "
        f"during a {busy['generated']}-token generation of {busy['generation_s']:.1f} s",
    )  # fmt: skip
