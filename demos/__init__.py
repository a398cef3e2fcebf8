"""The Gradio UI: one module or package per tab, each a thin layer over ``models``.

Tabs build their components and wire events; every handler converts between components and the
plain data that ``models`` functions take and return. ``widgets`` and ``jobs`` are what tabs share.
"""
