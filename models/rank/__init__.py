"""The Answer ranking tab's logic (to come): a chatbot that answers with the answer of the most
similar stored question, by sentence embeddings. Depends on ``sources``, ``datasets``, ``core``."""
