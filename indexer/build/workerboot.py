"""Loaded once by the fork server that starts extraction workers (see workerpool), and only
there: the extraction code and jieba's dictionary (about a second), so every worker starts
with both; and the fork server's life tied to the writer's."""
from ..analysis.words import base_analyzer
from . import worker  # noqa: F401  (imported to be inherited by every worker)
from .lifeline import die_with_parent

base_analyzer().warm_up()
# The fork server outlives a killed writer on its own: every worker holds a copy of the
# writer's end of its "alive" pipe. Killed with the writer instead, it takes its workers
# with it (each has asked for the same signal when its parent, this process, dies). Had
# the writer died already, the fork server sees it and exits before it starts a worker.
die_with_parent()
