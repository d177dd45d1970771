"""Progress of a long command on stderr: a live line rewritten with \\r on a terminal; one plain
line per step when stderr is redirected (a log file, a pipe), so steps never run together."""

from __future__ import annotations

import sys


class Progress:
    def __init__(self, stream=None):
        self.stream = stream if stream is not None else sys.stderr
        try:
            self.live = self.stream.isatty()
        except (AttributeError, ValueError):
            self.live = False
        self._last = ""
        self._width = 0

    def __call__(self, done: int, total: int, text: str) -> None:
        line = f"{done}/{total} {text}"
        if line == self._last:
            return
        self._last = line
        if self.live:
            # Pad over the rest of a longer previous line (a CJK character takes two columns).
            width = sum(2 if ord(c) > 0x2E7F else 1 for c in line)
            self.stream.write("\r" + line + " " * max(self._width - width, 0))
            self._width = width
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def finish(self) -> None:
        """End the live line, so what follows starts on a line of its own."""
        if self.live and self._last:
            self.stream.write("\n")
            self.stream.flush()
