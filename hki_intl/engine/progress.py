"""What a run says while it works: a live status line on a terminal, plain timestamped lines
when the output is a file or a pipe, nothing with ``--quiet``."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from hki_intl.messages import seconds, text


class Progress:
    """Stages report ``start``/``done``; the display decides how to show them."""

    def __init__(self, stream: TextIO | None = sys.stderr, live: bool | None = None):
        self.stream = stream
        self.live = stream is not None and (stream.isatty() if live is None else live)
        self.started = time.monotonic()
        self.running: dict[str, float] = {}
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if self.live:
            self._thread = threading.Thread(target=self._refresh, daemon=True)
            self._thread.start()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def message(self, line: str) -> None:
        self._line(line)

    def start(self, stage: str) -> None:
        with self.lock:
            self.running[stage] = time.monotonic()
        if not self.live:
            self._line(f"{stage} …")

    def done(self, stage: str, cached: bool = False) -> None:
        with self.lock:
            began = self.running.pop(stage, time.monotonic())
        took = time.monotonic() - began
        said = text("progress.reused") if cached else text("progress.done", seconds=seconds(took))
        self._line(f"{stage}: {said}")

    def close(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=1)
            self._write("\r\033[K")

    def _line(self, line: str) -> None:
        if not self.stream:
            return
        prefix = "\r\033[K" if self.live else ""
        self._write(f"{prefix}[{self.elapsed():6.1f} s] {line}\n")

    def _refresh(self) -> None:
        while not self._stop.wait(0.25):
            with self.lock:
                now = time.monotonic()
                parts = [f"{name} {now - began:.0f} s" for name, began in self.running.items()]
            if parts:
                self._write(f"\r\033[K[{self.elapsed():6.1f} s] {text('progress.running', stages=', '.join(parts))}")

    def _write(self, chars: str) -> None:
        with self.lock:
            if self.stream is None:
                return
            try:
                self.stream.write(chars)
                self.stream.flush()
            except (OSError, ValueError):
                pass


class Quiet(Progress):
    def __init__(self):
        super().__init__(stream=None, live=False)
