"""Errors whose message is written for the person using the app, not for a developer."""


class PlaygroundError(Exception):
    """A problem the user can fix; the message says what happened and what to do."""


class ModelUnavailable(PlaygroundError):
    """A model reference that cannot be loaded here, with the reason."""


class DatasetError(PlaygroundError):
    """A dataset or uploaded file that cannot be read as asked."""


class ConfigError(PlaygroundError):
    """A setting that cannot work; raised before anything is loaded or trained."""
