"""ClinicalTrials.gov API v2: study records -> normalized rows, and the live client.

Reads a single study (``{"protocolSection": …}``), a page
(``{"studies": […], "nextPageToken": …}``) and the website's "Download JSON"
(a top-level array).  Trimmed records (only some modules) give empty fields,
never invented ones.  The client pages through ``/studies`` (``pageSize`` up
to 1000, ``pageToken``) with timeouts and retries with backoff on 429, 5xx and
connection errors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError


def _d(value) -> dict:
    return value if isinstance(value, dict) else {}


def _l(value) -> list:
    return value if isinstance(value, list) else []


def _s(value) -> str:
    """Text of a scalar (a number becomes its digits); a list, object or null is no text."""
    if isinstance(value, bool) or value is None:
        return ""
    return str(value) if isinstance(value, (str, int, float)) else ""


def _date(struct) -> str:
    return _s(_d(struct).get("date"))


def study_to_row(study: dict, source: str) -> dict:
    """One API v2 study -> a dict of the normalized columns (strings; lists for multi-valued).

    A field of an unexpected type (an object where text belongs, a string where a list belongs) is
    read as empty, so the row's validation reports what is missing rather than Python failing.
    """
    ps = _d(study.get("protocolSection"))
    ident = _d(ps.get("identificationModule"))
    status = _d(ps.get("statusModule"))
    design = _d(ps.get("designModule"))
    sponsors = _d(ps.get("sponsorCollaboratorsModule"))
    conditions = _d(ps.get("conditionsModule"))
    arms = _d(ps.get("armsInterventionsModule"))
    locations = [_d(x) for x in _l(_d(ps.get("contactsLocationsModule")).get("locations"))]
    enrollment = _d(design.get("enrollmentInfo"))
    interventions = [_d(i) for i in _l(arms.get("interventions"))]
    nct = _s(ident.get("nctId"))
    return {
        "nct_id": nct,
        "brief_title": _s(ident.get("briefTitle")),
        "official_title": _s(ident.get("officialTitle")),
        "acronym": _s(ident.get("acronym")),
        "overall_status": _s(status.get("overallStatus")),
        "phase": "/".join(_s(p) for p in _l(design.get("phases")) if _s(p)),
        "study_type": _s(design.get("studyType")),
        "start_date": _date(status.get("startDateStruct")),
        "primary_completion_date": _date(status.get("primaryCompletionDateStruct")),
        "completion_date": _date(status.get("completionDateStruct")),
        "enrollment": _s(enrollment.get("count")),
        "enrollment_type": _s(enrollment.get("type")),
        "conditions": [_s(c) for c in _l(conditions.get("conditions")) if _s(c)],
        "interventions": [_s(i.get("name")) for i in interventions if _s(i.get("name"))],
        "intervention_types": [_s(i.get("type")) for i in interventions if _s(i.get("name"))],
        "sponsor": _s(_d(sponsors.get("leadSponsor")).get("name")),
        "collaborators": [_s(_d(c).get("name")) for c in _l(sponsors.get("collaborators")) if _s(_d(c).get("name"))],
        "countries": sorted({_s(loc.get("country")) for loc in locations if _s(loc.get("country"))}),
        "has_results": "" if "hasResults" not in study else str(bool(study.get("hasResults"))),
        "first_posted": _date(status.get("studyFirstPostDateStruct")),
        "last_update_posted": _date(status.get("lastUpdatePostDateStruct")),
        "url": f"https://clinicaltrials.gov/study/{nct}" if nct else "",
        "source": source,
    }


def studies_in(data, name: str) -> list[dict]:
    """The study records of a parsed JSON document of any of the three shapes."""
    if isinstance(data, list):
        studies = data
    elif isinstance(data, dict) and "studies" in data:
        studies = data["studies"]
    elif isinstance(data, dict) and "protocolSection" in data:
        studies = [data]
    else:
        raise InputError(
            'not ClinicalTrials.gov API v2 JSON (expected a study, {"studies": [...]} or an array of studies)',
            source=name,
        )
    if not isinstance(studies, list):
        raise InputError("'studies' is not a list", source=name)
    return studies


STREAM_ABOVE = 16 * 1024 * 1024  # bytes; larger JSON files are streamed study by study


def _parse(path: Path):
    import orjson

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read this file: {exc.strerror or exc}", source=str(path)) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON ({exc.msg}, column {exc.colno}); is the file truncated?", source=f"{path}:{exc.lineno}"
        ) from None


def _stream(path: Path):
    """Studies of a large page or array, one at a time (ijson), so memory stays bounded."""
    import ijson

    with open(path, "rb") as f:
        head = f.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    prefix = "item" if head[:1] == b"[" else "studies.item"
    try:
        with open(path, "rb") as f:
            yield from ijson.items(f, prefix, use_float=True)
    except (ijson.JSONError, ValueError, RecursionError) as exc:
        raise InputError(f"not valid JSON ({str(exc)[:200]}); is the file truncated?", source=str(path)) from None


def read_json(path, *, snapshot: str | None = None) -> tuple[list[dict], list[str], list[str]]:
    """(rows, record locations, warnings) from an API v2 JSON file (*snapshot*: the folder it belongs to)."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read this file: {exc.strerror or exc}", source=str(path)) from None
    if size > STREAM_ABOVE:
        studies = _stream(path)
        many = True
    else:
        studies = studies_in(_parse(path), str(path))
        many = len(studies) > 1
    rows, where, warnings = [], [], []
    for i, study in enumerate(studies, start=1):
        loc = f"{path}:record {i}" if many else str(path)
        if not isinstance(study, dict):
            rows.append({"nct_id": "", "source": loc})
            where.append(loc)
            continue
        base = f"{snapshot}/{path.name}" if snapshot else path.name
        row = study_to_row(study, f"{base}#{i}" if many else base)
        nct = row["nct_id"]
        stem = path.stem.upper()
        if not many and stem.startswith("NCT") and nct and stem[:11] != nct:
            warnings.append(
                f"{path}: the file name says {stem[:11]} but the record inside is {nct}; using the record ({nct})"
            )
        rows.append(row)
        where.append(f"{loc} ({nct})" if nct else loc)
    return rows, where, warnings


# -- the live client -------------------------------------------------------------------------------


@dataclass
class Query:
    condition: str = ""
    term: str = ""
    intervention: str = ""
    statuses: list = field(default_factory=list)

    def params(self) -> dict:
        p = {}
        if self.condition:
            p["query.cond"] = self.condition
        if self.term:
            p["query.term"] = self.term
        if self.intervention:
            p["query.intr"] = self.intervention
        if self.statuses:
            p["filter.overallStatus"] = ",".join(self.statuses)
        return p


class Client:
    """Pages through ``/studies``; returns the raw study JSON texts, verbatim."""

    def __init__(
        self,
        base: str = "https://clinicaltrials.gov/api/v2",
        *,
        page_size: int = 1000,
        timeout: float = 30,
        retries: int = 5,
        backoff: float = 1.0,
    ):
        from ..http import Client as HTTPClient

        if not 1 <= page_size <= 1000:
            raise InputError(f"page size {page_size} is out of range (1–1000)")
        self.base = base.rstrip("/")
        self.page_size = page_size
        self.timeout = timeout
        self.http = HTTPClient(timeout=timeout, retries=retries, backoff=backoff, error=InputError)

    def _get(self, path: str, params: dict):
        return self.http.get(f"{self.base}{path}", params=params)

    def version(self) -> dict:
        try:
            return self._get("/version", {}).json()
        except (InputError, ValueError):
            return {}

    def studies(self, query: Query, *, log=lambda m: None) -> list[str]:
        params = dict(query.params(), format="json", pageSize=self.page_size, countTotal="true")
        out: list[str] = []
        page = 0
        while True:
            r = self._get("/studies", params)
            try:
                data = r.json()
            except ValueError:
                raise InputError(f"{r.url} did not return JSON") from None
            page += 1
            for study in data.get("studies", []):
                out.append(json.dumps(study, ensure_ascii=False, indent=2))
            log(f"page {page}: {len(out)} of {data.get('totalCount', '?')} studies")
            token = data.get("nextPageToken")
            if not token:
                return out
            params["pageToken"] = token
