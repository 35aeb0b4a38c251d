"""Write a file so that readers see the old content or the new one, never half of it."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def write(path, data: bytes | str) -> None:
    """Write *data* to a temporary file beside *path* (unique per writer), fsync it, then rename it over *path*."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")  # unique per process and thread
    mode = "w" if isinstance(data, str) else "wb"
    try:
        with open(tmp, mode, **({"encoding": "utf-8", "newline": ""} if mode == "w" else {})) as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
