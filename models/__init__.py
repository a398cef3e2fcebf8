"""Everything behind the tabs, no gradio: layers that depend one way (docs/ARCHITECTURE.md).

- ``core``: settings, errors, device, atomic files, progress, metrics, text helpers, the task
  list, the bounded model cache, background jobs.
- ``sources``: where models come from (references, packaged weights and their converters,
  loaders, which model each task uses); ``datasets``: the registered datasets and uploads.
- one package per demo: ``classify``, ``finetune``, ``rank``, ``generate``, and ``overview``
  (the Models & data tab).
"""
