"""A time limit on PP-OCR's onnxruntime runs, also within one run.

onnxruntime stops a run in progress when its RunOptions.terminate is set (checked between the
model's nodes). rapidocr runs its sessions without RunOptions, so each of the model's three
sessions (detection, direction classifier, recognition) is wrapped: inside `within(seconds)`
every run gets this call's RunOptions, and a timer sets terminate when the time is up. A page
whose detection alone outlasts [ocr] timeout then fails with OcrTimeout instead of running on.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import OcrTimeout

_local = threading.local()  # the RunOptions of the call in progress on this thread


class Stoppable:
    """An rapidocr OrtInferSession whose runs honour the deadline of `within`."""

    def __init__(self, infer) -> None:
        self.infer = infer

    def __call__(self, batch):
        options = getattr(_local, "options", None)
        if options is None:
            return self.infer(batch)
        if options.terminate:
            raise OcrTimeout(_local.message)
        inputs = dict(zip(self.infer.get_input_names(), [batch]))
        try:
            return self.infer.session.run(self.infer.get_output_names(), inputs, options)
        except Exception as e:
            if options.terminate:
                raise OcrTimeout(_local.message) from e
            raise

    def __getattr__(self, name: str):
        return getattr(self.infer, name)


def bound(model) -> None:
    """Wrap the sessions of a RapidOCR model (once)."""
    for part, attr in ((model.text_det, "infer"), (model.text_cls, "infer"),
                       (model.text_rec, "session")):
        session = getattr(part, attr, None)
        if session is not None and not isinstance(session, Stoppable):
            setattr(part, attr, Stoppable(session))


@contextmanager
def within(seconds: float, what: str = "PP-OCR") -> Iterator[None]:
    """Runs of wrapped sessions on this thread stop after `seconds` (0: no limit), raising
    OcrTimeout."""
    if not seconds or getattr(_local, "options", None) is not None:  # none, or an outer one
        yield
        return
    import onnxruntime

    options = onnxruntime.RunOptions()
    timer = threading.Timer(seconds, lambda: setattr(options, "terminate", True))
    timer.daemon = True
    _local.options, _local.message = options, f"{what} took longer than {seconds:g} s on one page"
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        _local.options = None
