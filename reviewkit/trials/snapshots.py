"""Dated snapshots of registry records, written atomically.

A snapshot is a folder (``references/trials/YYYY-MM-DD``) holding
``studies/NCT….json`` — each study record as the API returned it — and
``manifest.json`` (query, time, count, API and data versions).  It is built in
a temporary sibling folder and renamed into place only when complete, so a
failed or interrupted fetch leaves no half snapshot.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from ..errors import InputError


def write(target, studies: list[str], manifest: dict) -> Path:
    target = Path(target)
    if target.exists():
        raise InputError("snapshot folder already exists; choose a new date or remove it", source=str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        (tmp / "studies").mkdir()
        ids = []
        for i, text in enumerate(studies, start=1):
            try:
                nct = json.loads(text)["protocolSection"]["identificationModule"]["nctId"]
            except (ValueError, KeyError, TypeError):
                raise InputError(
                    f"study {i} of the response has no protocolSection.identificationModule.nctId; no snapshot written",
                    source=str(target),
                ) from None
            (tmp / "studies" / f"{nct}.json").write_text(text + "\n", encoding="utf-8")
            ids.append(nct)
        body = dict(manifest, count=len(ids), nct_ids=sorted(ids))
        body.setdefault("fetched", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        (tmp / "manifest.json").write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target
