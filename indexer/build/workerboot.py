"""Loaded once by the fork server that starts extraction workers (see workerpool): the
extraction code and jieba's dictionary (about a second), so every worker starts with both."""
from ..analysis.words import base_analyzer
from . import worker  # noqa: F401  (imported to be inherited by every worker)

base_analyzer().warm_up()
