"""Processes the run forks (the intake's, the notebooks' workers, the PDFs' workers) end with it.

A run killed with SIGKILL cannot stop its children; a forked worker waiting for its next task
would live on, holding its memory, and could write into a build folder the next run is removing.
Each child asks the kernel for SIGKILL when the run's process dies (Linux ``PR_SET_PDEATHSIG``;
elsewhere nothing is done). Fork them from the run's main thread: the signal follows the thread
that forked, not the process.
"""

from __future__ import annotations

import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """In a forked child: be killed when process ``parent`` dies (and exit now if it already has)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return  # not Linux: the child ends when its work does
    if os.getppid() != parent:  # the run died before the request was made
        os._exit(1)
