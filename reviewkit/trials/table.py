"""Read a trial table (CSV) into the normalized, validated DataFrame.

The file may hold any subset of :data:`schema.COLUMNS` (``nct_id`` and
``source`` are required); missing columns are added empty.  Statuses, phases
and dates are normalized; every invalid row is reported at once as
``file:row: what is wrong``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import vocab
from ..errors import InputError, did_you_mean
from ..identifiers import NCT_RE
from ..vocab import token
from . import schema


@dataclass(frozen=True)
class TrialsRead:
    """What reading trial files gave: the normalized *table*, the *warnings* (older registry spellings read,
    a file name that disagrees with its record …) and, with ``skip_invalid``, the invalid rows *skipped* —
    one ``file:row: what was wrong`` line each."""

    table: Any
    warnings: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()


def read_table(path):
    """A trial table from a normalized CSV, the website's CSV export, API v2 JSON or a snapshot folder.

    Every invalid row is an error (all reported at once); :func:`read` also returns the warnings and can skip
    invalid rows instead."""
    return read([path]).table


def read_trials(paths):
    """One normalized table from several files of any supported kind (see :func:`read_table`)."""
    return read(paths).table


def read(paths, *, skip_invalid: bool = False) -> TrialsRead:
    """One normalized table from *paths*, with the warnings and (with *skip_invalid*) the rows skipped."""
    import pandas as pd

    from . import ctgov, export

    rows: list[dict] = []
    where: list[str] = []
    warnings: list[str] = []
    frames = []
    for path in map(Path, paths):
        if path.is_dir():  # a snapshot: studies/*.json, each one study record
            folder = path / "studies" if (path / "studies").is_dir() else path
            files = sorted(folder.glob("*.json"))
            if not files:
                raise InputError("no study files here (expected a snapshot with studies/NCT*.json)", source=str(path))
            label = path.name if (path / "manifest.json").is_file() else None
            for f in files:
                r, w, warn = ctgov.read_json(f, snapshot=label)
                rows += r
                where += w
                warnings += warn
            continue
        f = path
        if not f.exists():
            raise InputError("trial file not found", source=str(f))
        try:
            with open(f, "rb") as fh:
                head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
        except OSError as exc:
            raise InputError(f"cannot read this file: {exc.strerror or exc}", source=str(f)) from None
        if head[:1] in (b"{", b"["):
            r, w, warn = ctgov.read_json(f)
            rows += r
            where += w
            warnings += warn
            continue
        df = read_csv_file(f)
        if export.is_site_export(df.columns.tolist()):
            r, w = export.read_frame(df, f)
            rows += r
            where += w
        else:
            frames.append((df, str(f)))
    parts = []
    if rows:
        name = str(paths[0]) if len(paths) == 1 else "trials"
        parts.append(_normalize(pd.DataFrame(rows), name=name, where=where, skip_invalid=skip_invalid))
    for df, name in frames:
        parts.append(_normalize(df, name=name, skip_invalid=skip_invalid))
    if not parts:
        return TrialsRead(normalize(pd.DataFrame(columns=schema.COLUMNS), name="trials"), tuple(warnings))
    result = pd.concat([p.table for p in parts], ignore_index=True) if len(parts) > 1 else parts[0].table
    dups = result["nct_id"][result["nct_id"].duplicated()].unique().tolist()
    if dups:
        raise InputError(
            f"{', '.join(dups[:5])} appear in more than one input file; keep one record per trial",
            source=", ".join(map(str, paths)),
        )
    return TrialsRead(
        result,
        tuple(warnings) + tuple(w for p in parts for w in p.warnings),
        tuple(s for p in parts for s in p.skipped),
    )


def read_csv_file(path):
    """A CSV file as a DataFrame of strings; anything that is not a readable UTF-8 CSV is an error naming it."""
    import csv

    import pandas as pd

    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read this file: {exc.strerror or exc}", source=str(path)) from None
    if b"\x00" in raw[:4096]:
        raise InputError("binary data: neither ClinicalTrials.gov JSON nor a CSV file", source=str(path))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; re-save the file as UTF-8", source=f"{path}:{line}"
        ) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    import io

    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise InputError(
            "empty file: expected a CSV header line (nct_id, …) or ClinicalTrials.gov JSON", source=str(path)
        ) from None
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        m = __import__("re").search(r"line (\d+)", str(exc))
        raise InputError(
            f"not a readable CSV file: {str(exc).strip()[:200]}", source=f"{path}:{m.group(1)}" if m else str(path)
        ) from None


def to_csv(df) -> str:
    """The normalized table as CSV text (lists '|'-joined, booleans as True/False)."""
    out = df.copy()
    for col in schema.LIST_COLUMNS:
        out[col] = ["|".join(v) for v in out[col]]
    return out.to_csv(index=False, lineterminator="\n")


def normalize(df, *, name: str = "<table>", where: list[str] | None = None):
    """Validate and normalize a table of trial rows; every problem is reported at once.

    *where* names each row's location (``file:line`` or ``file:record N``);
    by default ``name:ROW`` with the CSV header as row 1.
    """
    return _normalize(df, name=name, where=where).table


def _normalize(df, *, name: str, where: list[str] | None = None, skip_invalid: bool = False) -> TrialsRead:
    """:func:`normalize`, with the warnings; with *skip_invalid* the invalid rows are dropped and listed as skipped
    instead of raising."""
    import pandas as pd

    from ..csvfile import Problems

    unknown = [c for c in df.columns if c not in schema.COLUMNS]
    if unknown:
        raise InputError(
            "; ".join(f"unknown column {c!r}{did_you_mean(c, schema.COLUMNS)}" for c in unknown),
            source=f"{name}:1",
        )
    missing = [c for c in schema.REQUIRED if c not in df.columns]
    if missing:
        raise InputError(f"missing required column(s) {', '.join(missing)}", source=f"{name}:1")
    df = df.reindex(columns=schema.COLUMNS, fill_value="").fillna("").reset_index(drop=True)
    for col in schema.LIST_COLUMNS:  # accept lists (JSON readers) or '|'-joined text (CSV)
        df[col] = ["|".join(v) if isinstance(v, (list, tuple)) else v for v in df[col]]
    problems = Problems("trial table", name, where=where)
    warnings = []
    columns = {
        c: df[c].tolist() for c in ["nct_id", "overall_status", "phase", "study_type", "source", *schema.DATE_COLUMNS]
    }
    out = {c: list(v) for c, v in columns.items()}
    for k in range(len(df)):
        nct = columns["nct_id"][k]
        if not NCT_RE.match(nct):
            problems.row(k, f"nct_id {nct!r} is not an NCT id (expected NCT followed by 8 digits)")
        raw = columns["overall_status"][k]
        st = vocab.normalize_status(raw)
        if st is None:
            problems.row(k, f"unknown status {raw!r}{did_you_mean(token(raw), vocab.STATUSES)}")
        else:
            out["overall_status"][k] = st
        raw = columns["phase"][k]
        ph = vocab.normalize_phase(raw)
        if ph is None:
            problems.row(k, f"unknown phase {raw!r} (expected one of {', '.join(vocab.PHASES)})")
        else:
            out["phase"][k] = ph
        raw = columns["study_type"][k]
        if raw:
            stype = vocab.normalize_study_type(raw)
            if stype is None:
                problems.row(k, f"unknown study_type {raw!r} (expected one of {', '.join(vocab.STUDY_TYPES)})")
            else:
                out["study_type"][k] = stype
        for col in ("overall_status", "phase", "study_type"):
            if columns[col][k] and vocab.old_spelling(col, columns[col][k]):
                warnings.append(
                    f"{problems.here(k)}: {col} {columns[col][k]!r} is the older registry spelling of "
                    f"{out[col][k]!r}; read as {out[col][k]}"
                )
        for col in schema.DATE_COLUMNS:
            raw = columns[col][k]
            d = schema.normalize_date(raw)
            if d is None:
                problems.row(k, f"{col} {raw!r} is not a date (expected YYYY-MM-DD, YYYY-MM or 'Month D, YYYY')")
            else:
                out[col][k] = d
        if not str(columns["source"][k]).strip():
            problems.row(k, "source is empty (say which file or document the row came from)")
    for col, values in out.items():  # whole columns at once: cell-by-cell writes cost seconds at 10,000 rows
        df[col] = values
    for i in df.index[df["nct_id"].duplicated() & (df["nct_id"] != "")]:
        problems.row(i, f"{df.at[i, 'nct_id']} appears more than once")
    if not skip_invalid:
        problems.raise_all()
    if problems:
        df = df.drop(index=sorted(problems.bad_rows)).reset_index(drop=True)
    for col in schema.LIST_COLUMNS:
        df[col] = [[v for v in s.split("|") if v] if s else [] for s in df[col]]
    df["enrollment"] = pd.to_numeric(df["enrollment"].replace("", None), errors="coerce").astype("Int64")
    df["has_results"] = (
        df["has_results"].map({"True": True, "False": False, "true": True, "false": False, "": pd.NA}).astype("boolean")
    )
    df["url"] = [u or f"https://clinicaltrials.gov/study/{n}" for u, n in zip(df["url"], df["nct_id"])]
    return TrialsRead(df, tuple(warnings), tuple(problems.lines))


def select(trials, *, condition: str = "", statuses=()):
    """Trials for *condition* with one of *statuses* (empty: every status).

    A trial whose record lists conditions is kept when one of them contains
    *condition* (case-insensitive); a trial whose record lists none (the
    example's seed page gives no conditions) is kept, since its source lists it
    as related.  Unknown status names are an error, with the closest valid one.
    """
    from ..errors import InputError

    wanted = []
    for s in statuses or ():
        st = vocab.normalize_status(s)
        if not st:
            raise InputError(f"unknown status {s!r}{did_you_mean(token(str(s)), vocab.STATUSES)}", source="statuses")
        wanted.append(st)
    out = trials
    if wanted:
        out = out[out["overall_status"].isin(wanted)]
    if condition:
        c = condition.lower()
        keep = [not conds or any(c in x.lower() for x in conds) for conds in out["conditions"]]
        out = out[keep]
    return out.reset_index(drop=True)
