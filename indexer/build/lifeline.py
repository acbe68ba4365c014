"""A child process that dies with its parent: the kernel's PR_SET_PDEATHSIG, through ctypes.

An extraction worker must not outlive the writer that started it (killed with kill -9,
say): an orphan would go on holding memory and files. A watching thread cannot promise
that (it never runs while a decoder holds the GIL); the kernel can: with PR_SET_PDEATHSIG,
the process gets SIGKILL the moment its parent exits, whatever it is doing.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _prctl():
    libc = ctypes.CDLL(None, use_errno=True)
    prctl = libc.prctl
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong,
                      ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    return prctl


def die_with_parent(still_needed: Callable[[], bool] = lambda: True,
                    sig: int = signal.SIGKILL) -> None:
    """Have the kernel send `sig` to this process when its parent exits.

    The parent may be gone already (before the request was made): then, when
    `still_needed()` says so (the process this one works for has gone), exit at once.
    Linux only; raises OSError when the kernel refuses.
    """
    if not sys.platform.startswith("linux"):
        raise OSError(f"PR_SET_PDEATHSIG needs Linux, not {sys.platform}")
    if _prctl()(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"prctl(PR_SET_PDEATHSIG): {os.strerror(err)}")
    if not still_needed():
        os._exit(1)

