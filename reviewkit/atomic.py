"""Write a file so that readers see the old content or the new one, never half of it."""

from __future__ import annotations

import os
from pathlib import Path


def write(path, data: bytes | str) -> None:
    """Write *data* to a temporary file beside *path* (unique per writer), fsync it, then rename it over *path*."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{os.urandom(4).hex()}")  # unique per process and thread
    try:
        with open(tmp, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class replacing:
    """``with replacing(path) as f: f.write(…)`` — a text file written beside *path* and renamed over it
    only when the block ends without an error (the streaming form of :func:`write`)."""

    def __init__(self, path):
        self.path = Path(path)
        self.tmp = self.path.with_name(f".{self.path.name}.tmp-{os.getpid()}")

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.file = open(self.tmp, "w", encoding="utf-8", newline="")
        return self.file

    def __exit__(self, kind, value, tb):
        try:
            if kind is None:
                self.file.flush()
                os.fsync(self.file.fileno())
            self.file.close()
            if kind is None:
                os.replace(self.tmp, self.path)
        finally:
            if kind is not None or self.tmp.exists():
                self.tmp.unlink(missing_ok=True)
        return False


def check_target(path) -> None:
    """An output path must be a regular file or not exist yet: a folder, FIFO or device is an error
    (renaming over it would replace it).  Checked before any work, so nothing is written."""
    import stat

    from .errors import InputError

    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return  # a new file (its folder is created on write)
    except OSError as exc:
        raise InputError(f"cannot write here: {exc.strerror or exc}", source=str(path)) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError("is a folder; give a file name to write (e.g. library.bib)", source=str(path))
    if not stat.S_ISREG(st.st_mode):
        raise InputError(
            "is not a regular file (a FIFO, device or socket); write to a regular file, or use "
            "-o - for standard output",
            source=str(path),
        )
