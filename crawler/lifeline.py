"""The crawl child dies with the process that started it.

The child runs in a session of its own (so that Ctrl-C reaches only the parent, which stops it
gracefully), so nothing ends it when its parent is killed: an orphaned crawl ran on for minutes, beside
the next crawl of the same job directory. The parent hands it the read end of a pipe it never writes
to (`lifeline`). On Linux the child asks the kernel for SIGKILL when its parent dies (prctl
PR_SET_PDEATHSIG); where that cannot be had, a thread of the child waits on the pipe, whose end comes
when the parent's last descriptor closes, and kills the child's process group (its parse workers and
browser with it). Either way the pipe tells the child whether its parent died before it was listening.
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import threading
from typing import Final

PR_SET_PDEATHSIG: Final = 1  # linux/prctl.h


def die_with_parent(lifeline: int) -> None:
    """In the child, first thing: be killed when the parent dies, and now if it already has."""
    if not ask_kernel():
        threading.Thread(target=watch, args=(lifeline,), name="lifeline", daemon=True).start()
    if select.select([lifeline], [], [], 0)[0]:  # readable: its end (the parent never writes)
        _kill_group()


def watch(lifeline: int) -> None:
    """Wait for the pipe's end (the parent gone), then kill the child's process group."""
    while os.read(lifeline, 1):
        pass
    _kill_group()


def ask_kernel() -> bool:
    """PR_SET_PDEATHSIG: SIGKILL when the parent dies (False where the kernel offers no such thing)."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return False  # not Linux
    return bool(prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0)


def _kill_group() -> None:
    if os.getpgrp() == os.getpid():  # a session (and group) of its own, as crawler.run starts it
        os.killpg(os.getpgrp(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)
