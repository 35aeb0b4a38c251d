"""A submission zip of one edition: what a journal (or a co-author) asks for, in one file.

    report.{html,pdf,docx,xml}                   the manuscript (links and JATS graphics point into the zip)
    figures/figure-1-NAME.{png,pdf,svg}          PNG at 300 dpi, PDF and SVG vector
    tables/table-1-NAME.csv
    supplementary/figure-s1-NAME.{png,pdf,svg}, table-s1-NAME.csv
    notebooks/SECTION.ipynb, SECTION.html        executed, code shown
    bibliography/references.bib, references.json the cited works (BibTeX, CSL-JSON)
    manifest.json                                inputs with sha256, package versions (the build's manifest)
                                                 + every file of the zip with its sha256

Everything is read from the outputs folder it is handed; the 300-dpi PNG and
the PDF of each figure are drawn from its SVG by headless Chromium (one
browser for all figures).  Entries are dated from the build date.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

from .docx import fixed_zip
from .writers import FILES

DPI = 300


def _svg_size_px(svg: bytes) -> tuple[float, float]:
    """CSS pixels (96 per inch) of a matplotlib SVG whose width/height are in pt."""
    m = re.search(rb'<svg[^>]*\swidth="([\d.]+)(pt|px)?"[^>]*\sheight="([\d.]+)(pt|px)?"', svg)
    if not m:
        return 640.0, 480.0
    w, h = float(m.group(1)), float(m.group(3))
    scale = 96 / 72 if (m.group(2) or b"pt") == b"pt" else 1.0
    return w * scale, h * scale


def raster_and_pdf(svgs: dict[str, bytes], chromium: str) -> dict[str, tuple[bytes, bytes]]:
    """{name: (PNG at 300 dpi, vector PDF)} for each SVG, drawn by Chromium."""
    import asyncio
    import base64
    import concurrent.futures

    from PIL import Image
    from playwright.async_api import async_playwright

    from .export import CHROMIUM_FLAGS

    async def main():
        out = {}
        async with async_playwright() as p:
            browser = await p.chromium.launch(
                executable_path=chromium,
                args=CHROMIUM_FLAGS,
                handle_sigint=False,
                handle_sigterm=False,
                handle_sighup=False,
            )
            try:
                for name, svg in svgs.items():
                    w, h = _svg_size_px(svg)
                    page = await browser.new_page(
                        viewport={"width": max(1, round(w)), "height": max(1, round(h))}, device_scale_factor=DPI / 96
                    )
                    src = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
                    await page.set_content(
                        f'<html><body style="margin:0"><img src="{src}" '
                        f'style="display:block;width:{w}px;height:{h}px"></body></html>'
                    )
                    png = await page.screenshot(full_page=False)
                    pdf = await page.pdf(
                        width=f"{w}px",
                        height=f"{h + 1}px",
                        print_background=True,
                        margin={"top": "0", "bottom": "0", "left": "0", "right": "0"},
                    )
                    await page.close()
                    buf = io.BytesIO()
                    Image.open(io.BytesIO(png)).save(buf, format="PNG", dpi=(DPI, DPI))
                    out[name] = (buf.getvalue(), pdf)
            finally:
                await browser.close()
        return out

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()


def _graphics_in_zip(jats: bytes, paths: dict[str, str]) -> bytes:
    """The JATS with each ``graphic`` pointing at its figure's PNG in the zip (``figures/NAME.png`` -> the zip name)."""
    from lxml import etree

    href = "{http://www.w3.org/1999/xlink}href"
    tree = etree.fromstring(jats, etree.XMLParser(resolve_entities=False, no_network=True))
    for g in tree.iter("graphic"):
        name = Path(g.get(href, "")).stem
        if name in paths:
            g.set(href, paths[name])
    doctype = jats.split(b"<article", 1)[0]
    return doctype + etree.tostring(tree, encoding="utf-8").split(b"?>", 1)[-1].lstrip() + b"\n"


def bundle(outputs: Path, *, bibliography=None, chromium: str | None = None, epoch: int | None = None) -> bytes:
    """The zip of the edition in *outputs* (built with every format)."""
    import nbformat

    from ..errors import ExportError
    from .export import HOW_TO_GET_CHROMIUM, find_chromium

    outputs = Path(outputs)
    nb = nbformat.read(outputs / "report.ipynb", as_version=4)
    rk = nb.metadata.get("reviewkit", {})
    files: dict[str, bytes] = {}
    for name in FILES.values():
        files[name] = (outputs / name).read_bytes()
    floats = [
        o.metadata["reviewkit"]
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.get("metadata", {}).get("reviewkit", {}).get("kind") in ("figure", "table")
    ]
    svgs = {m["name"]: (outputs / "figures" / f"{m['name']}.svg").read_bytes() for m in floats if m["kind"] == "figure"}
    chromium = chromium or find_chromium()
    if svgs and not chromium:
        raise ExportError(HOW_TO_GET_CHROMIUM.replace("the HTML report was written", "no bundle was written"))
    drawn = raster_and_pdf(svgs, chromium) if svgs and chromium else {}  # no Chromium with figures: raised above
    listing = []
    for m in floats:
        number = str(m["number"])
        folder = "supplementary" if m.get("supplementary") else ("figures" if m["kind"] == "figure" else "tables")
        stem = f"{folder}/{m['kind']}-{number.lower()}-{m['name']}"
        if m["kind"] == "figure":
            png, pdf = drawn[m["name"]]
            files[f"{stem}.png"], files[f"{stem}.pdf"] = png, pdf
            files[f"{stem}.svg"] = svgs[m["name"]]
        else:
            files[f"{stem}.csv"] = (outputs / "tables" / f"{m['name']}.csv").read_bytes()
        listing.append(
            {
                "label": f"{'Figure' if m['kind'] == 'figure' else 'Table'} {number}",
                "name": m["name"],
                "supplementary": bool(m.get("supplementary")),
                "files": stem,
            }
        )
    files[FILES["jats"]] = _graphics_in_zip(
        files[FILES["jats"]], {m["name"]: f"{l['files']}.png" for m, l in zip(floats, listing) if m["kind"] == "figure"}
    )
    for path in sorted((outputs / "sections").glob("*.ipynb")):
        files[f"notebooks/{path.name}"] = path.read_bytes()
        page = outputs / "notebooks" / f"{path.stem}.html"
        if page.is_file():
            files[f"notebooks/{page.name}"] = page.read_bytes()
    if bibliography is not None:
        from pybtex.database import BibliographyData

        from ..citations.csljson import entry_to_item

        cited = [r["key"] for r in rk.get("references", [])]
        data = BibliographyData({k: bibliography.entries[k] for k in cited})
        files["bibliography/references.bib"] = data.to_string("bibtex").encode("utf-8")
        items = [entry_to_item(k, bibliography.entries[k]) for k in cited]
        files["bibliography/references.json"] = (json.dumps(items, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    manifest = (
        json.loads((outputs / "manifest.json").read_text(encoding="utf-8"))
        if (outputs / "manifest.json").is_file()
        else {}
    )
    manifest["bundle"] = {
        "title": rk.get("title", ""),
        "build_date": rk.get("build_date", ""),
        "items": listing,
        "files": {n: hashlib.sha256(b).hexdigest() for n, b in sorted(files.items())},
    }
    files["manifest.json"] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(files):
            z.writestr(name, files[name])
    return fixed_zip(buf.getvalue(), epoch)
