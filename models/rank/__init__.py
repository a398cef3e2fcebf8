"""The Answer ranking tab's logic: a chatbot that answers with the answer of the most similar
stored question, by sentence embeddings, and says when it has no confident answer.

``banks`` (the stored Q/A pairs), ``index`` (dense, lexical, hybrid; the dense one cached on
disk), ``rankers`` (a model choice -> an index), ``chat`` (one turn: grouped candidates, margin,
confidence), ``evaluate`` (leave-one-out hit@1 / hit@5 / MRR, also a command).
"""
