"""The Generation tab's logic: prompt techniques on a local causal LM, the OpenAI API or any
OpenAI-compatible server, streamed and measured; in-context learning against fine-tuning. Messages
and labels are ``Text``s (English and Korean). Depends on ``classify``, ``sources`` and ``core``."""
