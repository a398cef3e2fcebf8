"""The Classification tab's logic: sentiment, NLI and intent.

``loaders.get_classifier`` turns a task and a model choice into a classifier (``classifiers``,
and this app's own formats: ``ngram``, ``embedding_probe``, ``ensemble``); ``predict`` classifies
one input or many rows; ``explain`` says which words drove a decision; ``robustness`` rewrites
the input to see whether the label holds; ``evaluate`` scores a labelled set (also a command:
``python -m models.classify.evaluate``); ``batch`` classifies an uploaded file. For people:
``labels`` names known classes in Korean or English, ``confidence`` says when a top score is
close to a guess, ``describe`` names a classifier's kind in words.
"""
