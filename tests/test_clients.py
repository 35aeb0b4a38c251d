"""Online resolvers against a real HTTP server on 127.0.0.1 replaying real recorded responses."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from reviewkit.citations.medline import _blocks
from reviewkit.citations.resolve import Endpoints, Lock, Resolver, refresh
from reviewkit.errors import CitationError

from conftest import DATA


class Replay:
    """Routes path -> list of (status, headers, body); the last response repeats."""

    def __init__(self):
        self.routes, self.hits = {}, []

    def add(self, path, *responses):
        self.routes[path] = list(responses)

    def handler(self):
        replay = self

        class H(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlparse(self.path)
                replay.hits.append((url.path, parse_qs(url.query), dict(self.headers)))
                queue = replay.routes.get(url.path)
                if not queue:
                    status, headers, body = 404, {}, b"not found"
                else:
                    status, headers, body = queue.pop(0) if len(queue) > 1 else queue[0]
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        return H


@pytest.fixture
def server():
    replay = Replay()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), replay.handler())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield replay, base
    httpd.shutdown()
    httpd.server_close()


def resolver(base, **kw):
    ep = Endpoints(eutils=f"{base}/eutils", idconv=f"{base}/idconv/", doi=f"{base}/doi", ctgov=f"{base}/ctgov")
    return Resolver(ep, backoff=0.01, timeout=5, api_key="", **kw)


RETRY = {"Retry-After": "0"}


def test_doi_content_negotiation_with_429_and_503_on_the_way(server):
    replay, base = server
    body = (DATA / "csl-crossref-doi-response.json").read_bytes()
    replay.add(
        "/doi/10.1098/rsif.2017.0387",
        (429, RETRY, b"slow down"),
        (503, RETRY, b"busy"),
        (200, {"Content-Type": "application/vnd.citationstyles.csl+json"}, body),
    )
    item, _source = resolver(base).doi("10.1098/rsif.2017.0387")
    assert item["title"] == "Opportunities and obstacles for deep learning in biology and medicine"
    assert item["DOI"] == "10.1098/rsif.2017.0387" and "reference" not in item
    assert len(replay.hits) == 3
    assert replay.hits[-1][2]["Accept"] == "application/vnd.citationstyles.csl+json"


def test_pubmed_efetch_medline(server):
    replay, base = server
    text = (DATA / "same-works-four-formats.nbib").read_text(encoding="utf-8")
    record = next(b for _, b in _blocks(text, "x") if b.startswith("PMID- 28288103"))
    replay.add("/eutils/efetch.fcgi", (500, {}, b"oops"), (200, {"Content-Type": "text/plain"}, record.encode()))
    item, _ = resolver(base).pmid("28288103")
    assert item["title"].startswith("Reproducibility of computational workflows")
    assert item["DOI"] == "10.1038/nbt.3780" and item["PMID"] == "28288103"
    query = replay.hits[-1][1]
    assert query["db"] == ["pubmed"] and query["id"] == ["28288103"] and query["rettype"] == ["medline"]
    assert query["tool"] == ["reviewkit"]


def test_ncbi_rate_limit_without_key():
    import time

    from reviewkit.citations.resolve import RateLimiter

    limiter = RateLimiter(3)
    t = time.monotonic()
    for _ in range(4):
        limiter.wait()
    assert time.monotonic() - t >= 0.99  # 4 calls at 3/s take at least one second


def test_clinicaltrials_api(server):
    replay, base = server
    replay.add(
        "/ctgov/studies/NCT03630471",
        (200, {"Content-Type": "application/json"}, (DATA / "ctgov" / "api-v2-NCT03630471.json").read_bytes()),
    )
    item, _ = resolver(base).nct("NCT03630471")
    assert item["title"].startswith("Effectiveness of a Problem-solving Intervention")
    assert item["author"] == [{"literal": "Sangath"}] and item["URL"] == "https://clinicaltrials.gov/study/NCT03630471"


def test_clinicaltrials_record_of_another_trial_is_refused(server):
    replay, base = server
    replay.add(
        "/ctgov/studies/NCT02278341", (200, {}, (DATA / "ctgov" / "NCT02278341-file-name-lies.json").read_bytes())
    )
    with pytest.raises(CitationError, match="returned the record of NCT02552212, not NCT02278341"):
        resolver(base).nct("NCT02278341")


def test_not_found_and_offline(server):
    _replay, base = server
    with pytest.raises(CitationError, match="HTTP 404"):
        resolver(base).doi("10.1000/none")
    offline = Resolver(Endpoints(doi="http://127.0.0.1:9"), backoff=0.01, retries=1, timeout=2)
    with pytest.raises(CitationError, match="are you online"):
        offline.doi("10.1000/x")


def test_refresh_writes_the_lock_and_the_build_reads_only_it(server, tmp_path):
    from pybtex.database import BibliographyData

    from reviewkit.report.assemble import Assembler

    replay, base = server
    replay.add("/doi/10.1098/rsif.2017.0387", (200, {}, (DATA / "csl-crossref-doi-response.json").read_bytes()))
    lock = Lock.read(tmp_path / "citation-lock.json")
    failures = refresh(["doi:10.1098/rsif.2017.0387", "doi:10.1000/missing"], lock, resolver(base), log=lambda m: None)
    assert list(failures) == ["doi:10.1000/missing"]
    lock.write()
    data = json.loads((tmp_path / "citation-lock.json").read_text(encoding="utf-8"))
    rec = data["entries"]["doi:10.1098/rsif.2017.0387"]
    assert rec["from"].endswith("/doi/10.1098/rsif.2017.0387") and rec["resolved"].endswith("Z")
    # a build: no server needed, the identifier resolves from the lock file alone
    asm = Assembler(BibliographyData(), Lock.read(tmp_path / "citation-lock.json"))
    html = asm.cite("Deep learning [@doi:10.1098/RSIF.2017.0387].", "nb, cell 1")
    assert 'href="#ref-doi:10.1098/rsif.2017.0387"' in html
