"""What counts as leftover English on a Korean page: words of three or more Latin letters that
are not the name of a model, dataset, library, metric or unit (those stay as they are)."""

from __future__ import annotations

import re

# Names and terms a Korean reader sees in English on purpose (case-insensitive, whole words).
ALLOWED = {
    # models, methods and libraries
    "e5",
    "multilingual",
    "small",
    "minilm",
    "smollm2",
    "instruct",
    "bert",
    "lora",
    "qlora",
    "ia3",
    "peft",
    "openai",
    "gpt",
    "llama",
    "gguf",
    "qdrant",
    "bm25",
    "tf",
    "idf",
    "rrf",
    "sentence",
    "transformers",
    "gradio",
    "torch",
    "pytorch",
    "onnx",
    "sklearn",
    "hub",
    "hugging",
    "face",
    "mdeberta",
    "distilbert",
    "sst",
    "xnli",
    "mnli",
    "bge",
    "kiwi",
    "packaged",
    "auto",
    "zero",
    "shot",
    # datasets
    "nsmc",
    "kornli",
    "korsts",
    "snips",
    "clinc150",
    "banking77",
    "vader",
    "chatbot_data",
    "chatterbot",
    "corpus",
    "klue",
    "naver",
    # metrics, units and formats
    "all-minilm-l6-v2",
    "nli",
    "f1",
    "macro",
    "mrr",
    "hit",
    "auc",
    "roc",
    "csv",
    "tsv",
    "jsonl",
    "json",
    "png",
    "zip",
    "api",
    "url",
    "cpu",
    "gpu",
    "cuda",
    "mps",
    "ram",
    "rss",
    "mb",
    "gb",
    "gib",
    "mib",
    "ms",
    "utf",
    "bom",
    "http",
    "https",
    "top",
    "k",
    "md",
    "markdown",
    "toml",
    "pypi",
    "python",
    # licences
    "bsd",
    "mit",
    "apache",
    # the language switch names each language in itself
    "english",
    "nlp",
}
# Names of things rather than words: snake_case, dotted module paths, names with a digit in them.
IDENTIFIER = re.compile(r"\w+_\w+|[a-z]\w*(\.[a-z]\w*)+|[\w.-]*\d[\w.-]*")
TAG = re.compile(r"<[^>]*>")  # HTML markup is not text a person reads
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_@.+-]*[A-Za-z0-9]|[A-Za-z]")
CODE = re.compile(
    r"`[^`]*`|https?://\S+|[\w./-]+/[\w./-]+|\b[\w-]+\.(?:py|csv|tsv|json|jsonl|txt)\b"
)


def leftover_english(text: str, also_allowed: set[str] = frozenset()) -> list[str]:
    """The English words in ``text`` a Korean page should not show (code and paths aside)."""
    text = CODE.sub(" ", TAG.sub(" ", text))
    allowed = ALLOWED | {w.lower() for w in also_allowed}
    found = []
    for word in LATIN_WORD.findall(text):
        parts = re.split(r"[-_.+@]", word.lower())
        if word.lower() in allowed:  # a whole name ("all-MiniLM-L6-v2") whose parts are words
            continue
        if IDENTIFIER.fullmatch(word):  # PLAYGROUND_CACHE, oos_test, models.prepare, e5-small-v2
            continue
        if len(word) >= 3 and not all(p in allowed or len(p) < 3 or p.isdigit() for p in parts):
            found.append(word)
    return found
