"""A live per-section status display on a terminal; plain log lines everywhere else.

It reads the build's log lines ("running X (why)", "ran X (t s)",
"FAILED X …", "reused X …"): with ``-j N`` the first N sections run and the
rest are queued, in the order the worker pool takes them.
"""

from __future__ import annotations

import sys
import threading
import time

SPIN = "|/-\\"


class Progress:
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

    def __call__(self, message: str) -> None:
        word, _, rest = message.partition(" ")
        name = rest.split(" ", 1)[0]
        with self.lock:
            if word == "running":
                running = sum(1 for r in self.rows.values() if r[0] == "running")
                self.rows[name] = ["running" if running < self.jobs else "queued", time.monotonic(), rest[len(name):].strip()]
            elif word in ("ran", "FAILED", "reused"):
                state = {"ran": "done", "FAILED": "failed", "reused": "reused"}[word]
                self.rows[name] = [state, None, rest[len(name):].strip()]
                queued = [n for n, r in self.rows.items() if r[0] == "queued"]
                if queued and word != "reused":
                    self.rows[queued[0]][0:2] = ["running", time.monotonic()]
            else:
                self.notes.append(message)
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


def logger(jobs=None):
    """(log callback, close) — a live display on a terminal, plain lines otherwise."""
    if sys.stderr.isatty():
        p = Progress(sys.stderr, jobs)
        return p, p.close
    return (lambda m: print(m, file=sys.stderr, flush=True)), (lambda: None)
