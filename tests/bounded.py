"""Run a function in a forked child and measure its wall time and peak memory.

The child inherits the imported modules (no start-up cost), resets its peak-RSS mark
(``/proc/self/clear_refs``) and reports how far its resident memory rose above where it
started. The parent samples the child's memory too and kills it past a hard cap, so a guard
that fails cannot take the test machine down with it.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

HARD_CAP_MB = 2048
HARD_CAP_SECONDS = 120


@dataclass
class Measured:
    result: Any
    seconds: float
    peak_mb: float  # resident memory above the child's starting point
    error: str = ""  # a traceback if the function raised


def _status_mb(field: str, pid: str = "self") -> float:
    with open(f"/proc/{pid}/status") as handle:
        match = re.search(rf"^{field}:\s+(\d+) kB", handle.read(), re.MULTILINE)
    return int(match[1]) / 1024 if match else 0.0


def _child(function: Callable[..., Any], args: tuple, pipe) -> None:
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")  # reset VmHWM to the current RSS (Linux 4.0+)
        resettable = True
    except OSError:
        resettable = False
    base = _status_mb("VmRSS")
    start = time.perf_counter()
    error, result = "", None
    try:
        result = function(*args)
    except BaseException:  # reported to the parent, which fails the test with it
        error = traceback.format_exc()
    seconds = time.perf_counter() - start
    peak = _status_mb("VmHWM") - base if resettable else -1.0
    pipe.send(Measured(result, seconds, peak, error))
    pipe.close()
    os._exit(0)  # skip pytest's and the libraries' exit handlers in the forked copy


def measure(function: Callable[..., Any], *args: Any) -> Measured:
    """``function(*args)`` in a forked child; its result, seconds and peak memory in MB."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(function, args, send))
    child.start()
    send.close()
    started, sampled, base = time.monotonic(), 0.0, None
    while child.is_alive() and not receive.poll(0.01):
        try:
            rss = _status_mb("VmRSS", str(child.pid))
        except OSError:
            continue
        base = rss if base is None else base
        sampled = max(sampled, rss - base)
        if rss - base > HARD_CAP_MB or time.monotonic() - started > HARD_CAP_SECONDS:
            child.kill()
            child.join()
            raise AssertionError(f"killed after {time.monotonic() - started:.1f} s at {rss - base:.0f} MB above start")
    try:
        measured: Measured = receive.recv()
    except EOFError:
        child.join()
        raise AssertionError(f"the child died (exit code {child.exitcode})") from None
    child.join()
    if measured.peak_mb < 0:
        measured.peak_mb = sampled
    return measured
