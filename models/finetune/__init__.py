"""The Fine-tuning tab's logic: train several methods on the same rows and compare what each costs.

Read in this order: ``config`` (what a run is), ``methods`` (the registry: full, LoRA, head, top
layers, probe, n-grams, ...), ``prepared`` (rows checked and tokenised once), ``engine`` (train,
evaluate and save each method; ``fitted`` for the methods fitted in one go, ``combine`` for the
ensemble), ``sizing`` / ``estimate`` / ``budget`` (costs before training, and what a time budget
buys), ``runs`` (records on disk), ``report`` (tables for the tab), ``jobs`` (in the background),
``recipes`` (the offline default classifiers). ``python -m models.finetune`` is the command line.
"""
