"""What a build reports, as values rather than log text.

Each step of :func:`reviewkit.pipeline.build.build` hands one of these frozen
events to its subscribers (``on_event``): the terminal display and the plain log
(:mod:`reviewkit.cli.progress`), the manifest (:mod:`reviewkit.pipeline.manifest`),
``reviewkit build --events FILE`` (one JSON object a line, :class:`JsonLines`)
and the tests.  ``str(event)`` is the event's line in the plain log — the only
place that wording is made; nothing reads it back.

Nothing here imports anything heavy: the CLI loads it before every build.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

#: undeclared reads named one by one per section in the plain log; the rest are counted
NOTES_SHOWN = 5


@dataclass(frozen=True)
class Event:
    """Base of every build event."""

    def to_json(self) -> dict:
        """``{"event": "SectionRan", "section": …, …}``: the class name and the fields (tuples as lists)."""
        return {"event": type(self).__name__, **asdict(self)}


@dataclass(frozen=True)
class Warned(Event):
    """A problem that does not stop the build (an input the validation or the bibliography merge noticed)."""

    text: str  # "file:line: what is wrong"

    def __str__(self) -> str:
        return f"warning: {self.text}"


@dataclass(frozen=True)
class SectionReused(Event):
    """A section's last run is used as it is; *seconds* and *finished* are that run's."""

    section: str
    reason: str
    seconds: float | None = None
    finished: str | None = None

    def __str__(self) -> str:
        return f"reused {self.section} ({self.reason})"


@dataclass(frozen=True)
class SectionQueued(Event):
    """A section is handed to the runner, because of *reasons* ("parameters changed", "--force", …)."""

    section: str
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"running {self.section} ({'; '.join(self.reasons)})"


@dataclass(frozen=True)
class SectionRan(Event):
    """A section finished; its notebook and state are saved before this event is sent."""

    section: str
    seconds: float
    finished: str  # UTC, ISO 8601 to the second

    def __str__(self) -> str:
        return f"ran {self.section} ({self.seconds:.1f} s)"


@dataclass(frozen=True)
class SectionFailed(Event):
    """A section's notebook raised or its kernel died; *notebook*: the executed copy kept for the author, if any."""

    section: str
    seconds: float
    error: str  # "notebooks/x.ipynb, cell 2: ZeroDivisionError: division by zero"
    notebook: str | None = None  # relative to the project

    @property
    def message(self) -> str:
        """The error with where the executed notebook was kept (as the build's final error lists it)."""
        return self.error + (f" (executed notebook with the error: {self.notebook})" if self.notebook else "")

    def __str__(self) -> str:
        return f"FAILED {self.section} ({self.seconds:.1f} s): {self.message}"


@dataclass(frozen=True)
class UndeclaredReads(Event):
    """Files (and folders, ending in ``/``) a section read for the first time that no ``inputs`` declares."""

    section: str
    paths: tuple[str, ...]

    def __str__(self) -> str:
        lines = []
        for name in self.paths[:NOTES_SHOWN]:
            where = "outside the project, " if Path(name).is_absolute() else ""
            verb = "listed" if name.endswith("/") else "read"
            lines.append(
                f"note: {self.section} {verb} {name} ({where}no `inputs` declares it); it is tracked from now on"
            )
        if len(self.paths) > NOTES_SHOWN:
            lines.append(
                f"note: {self.section} read {len(self.paths) - NOTES_SHOWN} more files no `inputs` declares; "
                "all are tracked and listed in outputs/manifest.json"
            )
        return "\n".join(lines)


@dataclass(frozen=True)
class ReportUpToDate(Event):
    """Nothing the report depends on changed: no section ran, nothing was assembled or exported."""

    seconds: float

    def __str__(self) -> str:
        return f"report is up to date ({self.seconds:.2f} s)"


@dataclass(frozen=True)
class BibliographyLoaded(Event):
    """The bibliography files were read and merged (the first step of assembling the report)."""

    summary: str

    def __str__(self) -> str:
        return f"bibliography: {self.summary}"


@dataclass(frozen=True)
class ReportAssembled(Event):
    """The sections became one document: citations numbered, *figures* and *tables* numbered and captioned."""

    figures: int
    tables: int

    def __str__(self) -> str:
        return f"assembled the report ({self.figures} figures, {self.tables} tables)"


@dataclass(frozen=True)
class Exported(Event):
    """One format of the report was written (into the new edition, not yet published)."""

    format: str
    path: str  # where it will be published, relative to the project
    seconds: float

    def __str__(self) -> str:
        return f"exported {self.path} ({self.seconds:.1f} s)"


@dataclass(frozen=True)
class EditionPublished(Event):
    """The new edition replaced the previous one, whole; *paths*: the report files, relative to the project."""

    paths: tuple[str, ...]
    seconds: float  # the whole build

    def __str__(self) -> str:
        return f"built {', '.join(self.paths)} in {self.seconds:.1f} s"


KINDS = {
    cls.__name__: cls
    for cls in (
        Warned,
        SectionReused,
        SectionQueued,
        SectionRan,
        SectionFailed,
        UndeclaredReads,
        ReportUpToDate,
        BibliographyLoaded,
        ReportAssembled,
        Exported,
        EditionPublished,
    )
}


def from_json(data: dict) -> Event:
    """The event :meth:`Event.to_json` wrote (lists back to tuples)."""
    cls = KINDS[data["event"]]
    values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
    kwargs: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    return cls(**kwargs)


def load(path) -> list[Event]:
    """The events of a ``--events`` file; a last line cut short by a kill is left out."""
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines(keepends=True):
        if line.endswith("\n"):
            out.append(from_json(json.loads(line)))
    return out


class JsonLines:
    """A subscriber writing each event as one JSON line to *target* (a path, or an open text stream such as
    standard output), flushed at once (``--events FILE``)."""

    def __init__(self, target):
        self.owned = isinstance(target, (str, Path))
        # the file lives as long as the subscriber: close() closes it
        self.file = open(target, "w", encoding="utf-8") if self.owned else target  # noqa: SIM115

    def __call__(self, event: Event) -> None:
        self.file.write(json.dumps(event.to_json(), ensure_ascii=False) + "\n")
        self.file.flush()

    def close(self) -> None:
        if self.owned:
            self.file.close()


class Fanout:
    """Several subscribers as one: each event goes to every one of them, in order."""

    def __init__(self, *subscribers):
        self.subscribers = [s for s in subscribers if s is not None]

    def __call__(self, event: Event) -> None:
        for subscriber in self.subscribers:
            subscriber(event)
