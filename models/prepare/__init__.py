"""Ready when opened: what the tabs need prepared before they show their best, and who prepares it.

``items`` lists the work in the order the tabs need it (packaged conversions, the answer-ranking
index of the default bank, each task's offline default), what "ready" means for each and how to
do it. ``python -m models.prepare`` does it in the foreground; ``background`` does it beside a
running app, one child process per item, so the server stays responsive and a killed item never
leaves half a model behind.
"""
