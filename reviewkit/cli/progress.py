"""What the build's events look like to the author: a live per-section table on a terminal, plain lines elsewhere.

Both read the typed events of :mod:`reviewkit.pipeline.events`; the plain log
is each event's ``str``.  With ``-j N`` the first N queued sections are shown
running and the rest queued, in the order the build's threads take them.
"""

from __future__ import annotations

import sys
import threading
import time

from ..pipeline.events import Event, JsonLines, SectionFailed, SectionQueued, SectionRan, SectionReused

SPIN = "|/-\\"


class Progress:
    """The terminal display: one row per section (queued, running with elapsed time, reused, done, failed)."""

    def __init__(self, stream=sys.stderr, jobs: int | None = None):
        import os

        self.stream = stream
        self.jobs = jobs or os.cpu_count() or 1
        self.rows: dict[str, list] = {}  # name -> [state, started, detail]
        self.notes: list[str] = []
        self.drawn = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._tick, daemon=True)
        self.thread.start()

    def __call__(self, event: Event) -> None:
        with self.lock:
            if isinstance(event, SectionQueued):
                running = sum(1 for r in self.rows.values() if r[0] == "running")
                state = "running" if running < self.jobs else "queued"
                self.rows[event.section] = [state, time.monotonic(), f"({'; '.join(event.reasons)})"]
            elif isinstance(event, SectionReused):
                self.rows[event.section] = ["reused", None, f"({event.reason})"]
            elif isinstance(event, (SectionRan, SectionFailed)):
                detail = f"({event.seconds:.1f} s)" + (f": {event.message}" if isinstance(event, SectionFailed) else "")
                self.rows[event.section] = ["done" if isinstance(event, SectionRan) else "failed", None, detail]
                queued = [n for n, r in self.rows.items() if r[0] == "queued"]
                if queued:
                    self.rows[queued[0]][0:2] = ["running", time.monotonic()]
            else:
                self.notes.append(str(event))
            self._draw()

    def _line(self, name, row) -> str:
        state, started, detail = row
        if state == "running":
            secs = time.monotonic() - started
            return f"  {SPIN[int(secs * 4) % 4]} {name:<34} running {secs:5.1f} s  {detail}"
        mark = {"queued": "·", "done": "✓", "reused": "=", "failed": "✗"}[state]
        return f"  {mark} {name:<34} {state:<8} {detail}"

    def _draw(self) -> None:
        out = []
        if self.drawn:
            out.append(f"\x1b[{self.drawn}F\x1b[J")  # back to the top of the table, clear below
        for note in self.notes:
            out.append(note + "\n")
        self.notes.clear()
        lines = [self._line(n, r)[:200] for n, r in self.rows.items()]
        out.append("".join(line + "\n" for line in lines))
        self.drawn = len(lines)
        self.stream.write("".join(out))
        self.stream.flush()

    def _tick(self) -> None:
        while not self.stop.wait(0.25):
            with self.lock:
                if any(r[0] == "running" for r in self.rows.values()):
                    self._draw()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=1)
        with self.lock:
            self._draw()


class PlainLog:
    """The plain log (CI, pipes): each event's line, written as it happens."""

    def __init__(self, stream=None):
        self.stream = stream

    def __call__(self, event: Event) -> None:
        print(event, file=self.stream or sys.stderr, flush=True)

    def close(self) -> None:
        pass


def subscribers(jobs=None, events_file=None):
    """(on_event, close) for the CLI — a live display on a terminal, plain lines otherwise — and, with
    *events_file*, every event as one JSON line there too (``--events FILE``; ``-``: standard output)."""
    from ..pipeline.events import Fanout

    display = Progress(sys.stderr, jobs) if sys.stderr.isatty() else PlainLog()
    if events_file is None:
        return display, display.close
    try:
        record = JsonLines(sys.stdout if events_file == "-" else events_file)
    except OSError as exc:
        display.close()
        from ..errors import InputError

        raise InputError(f"cannot write the events file: {exc.strerror}", source=str(events_file)) from None

    def close():
        display.close()
        record.close()

    return Fanout(display, record), close
