"""One edition at a time: a new edition is built aside, then swapped in whole.

Layout of ``outputs/``::

    outputs/report.html     -> .reviewkit/current/report.html   (one link per entry of the edition)
    outputs/figures         -> .reviewkit/current/figures
    outputs/.reviewkit/current -> editions/TOKEN                (the published edition)
    outputs/.reviewkit/editions/TOKEN/   report.html report.pdf report.ipynb manifest.json
                                         sections/ figures/ tables/ …
    outputs/.reviewkit/runs/NAME-KEY.ipynb   executed notebooks by cache key (hard-linked into editions)
    outputs/.reviewkit/work-TOKEN/       what this build's workers write
    outputs/.reviewkit/state.json, build.lock

A build writes every file of its edition — all report formats, figures,
tables, section notebooks and the manifest — into ``editions/TOKEN``; a writer
writes into the folder it is handed.  Publishing is one ``rename`` of a
symbolic link (``current``), which is atomic: a reader, a kill or a full disk
sees the whole previous edition or the whole new one, never a mix.  The links
at the top of ``outputs/`` point through ``current`` and so never need to
change together.  Editions that were not published (a failed or killed build)
are removed by the next build.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .cache import STATE_DIR

#: what builds before editions wrote straight into outputs/ (removed when the first edition lacks them)
OLD_LAYOUT = {"report.html", "report.pdf", "report.ipynb", "manifest.json", "figures", "tables", "sections"}


class Editions:
    def __init__(self, outputs: Path, token: str):
        self.outputs = outputs
        self.base = outputs / STATE_DIR
        self.token = token
        self.current = self.base / "current"

    @property
    def staging(self) -> Path:
        return self.base / "editions" / self.token

    @property
    def work(self) -> Path:
        """Where this build's workers write executed notebooks and read logs."""
        return self.base / f"work-{self.token}"

    def published(self) -> Path | None:
        try:
            return self.base / os.readlink(self.current)
        except OSError:
            return None

    def clean(self) -> None:
        """Remove what earlier builds left unpublished (called with the lock held)."""
        keep = self.published()
        for d in (self.base / "editions").glob("*"):
            if d != keep and d.name != self.token:
                shutil.rmtree(d, ignore_errors=True)
        for d in self.base.glob("work-*"):
            if d != self.work:
                shutil.rmtree(d, ignore_errors=True)
        for f in self.outputs.glob(".*.link-*"):
            f.unlink(missing_ok=True)

    def discard(self) -> None:
        """Drop this build's unpublished files (its edition if not published, its work folder)."""
        if self.published() != self.staging:
            shutil.rmtree(self.staging, ignore_errors=True)
        shutil.rmtree(self.work, ignore_errors=True)

    def publish(self) -> None:
        """Make the staged edition the published one (atomically), then point the top-level names at it."""
        _fsync_tree(self.staging)
        previous = self.published()
        tmp = self.base / f"current.{self.token}"
        tmp.unlink(missing_ok=True)
        os.symlink(os.path.join("editions", self.token), tmp)
        os.replace(tmp, self.current)  # the moment of publication
        _fsync_dir(self.base)
        names = {p.name for p in self.staging.iterdir()}
        for name in sorted(names):
            self._link(name)
        for entry in self.outputs.iterdir():  # names the new edition does not have (e.g. report.pdf after --to html)
            if entry.name in names:
                continue
            if entry.is_symlink() and os.readlink(entry).startswith(f"{STATE_DIR}/current/"):
                entry.unlink()
            elif entry.name in OLD_LAYOUT and not entry.is_symlink():  # left by a build from before editions
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        if previous is not None and previous != self.staging:
            shutil.rmtree(previous, ignore_errors=True)

    def _link(self, name: str) -> None:
        link = self.outputs / name
        target = f"{STATE_DIR}/current/{name}"
        if link.is_symlink() and os.readlink(link) == target:
            return
        if link.is_dir() and not link.is_symlink():  # a folder from the layout before editions: retire it
            shutil.rmtree(link)
        tmp = self.outputs / f".{name}.link-{self.token}"
        tmp.unlink(missing_ok=True)
        os.symlink(target, tmp)
        os.replace(tmp, link)


def link_or_copy(src: Path, dest: Path) -> None:
    """Put *src* at *dest* without copying when the file system allows (editions never change a file in place)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    for d, _, _ in os.walk(root):
        _fsync_dir(Path(d))
