"""The Generation tab's logic (to come): prompt techniques on a local causal LM, the OpenAI API or
any OpenAI-compatible server, streamed. Depends on ``sources`` and ``core``."""
