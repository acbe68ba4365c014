"""Loaded once by the fork server that starts extraction workers (see workerpool): the
extraction code and jieba's dictionary (about a second), so every worker starts with both."""
from . import analysis, worker  # noqa: F401  (imported to be inherited by every worker)

analysis.warm_up()
