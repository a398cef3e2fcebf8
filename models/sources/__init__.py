"""Where models come from: references, packaged weights and their converters, loaders, and which
model each task uses. Depends only on ``models.core``."""
