"""Wrap pandoc's JATS body into a JATS 1.3 (Archiving and Interchange) article.

pandoc writes the body (sections, paragraphs, lists, ``fig``, ``table-wrap``,
``xref``); this module adds what comes from the metadata and the bibliography:

- ``front/article-meta``: ``title-group``, ``contrib-group`` (``contrib`` with
  ORCID ``contrib-id``, ``name`` or ``string-name``, ``collab``, ``email``,
  ``xref`` to ``aff``; ``equal-contrib`` / ``corresp``; ``on-behalf-of``),
  numbered ``aff``, ``author-notes``, ``pub-date``, ``abstract``, ``kwd-group``,
  ``funding-group``;
- ``back``: ``ack``, statements as ``notes``, and ``ref-list``: one ``ref`` per
  cited work with its number as ``label``, the formatted reference as
  ``mixed-citation`` and its identifiers as ``pub-id`` (doi, pmid, pmcid) or
  ``ext-link`` (ClinicalTrials.gov);
- ``xref/@ref-type`` (bibr, fig, table, sec) from the link target.
"""

from __future__ import annotations

import re

XLINK = "http://www.w3.org/1999/xlink"
MML = "http://www.w3.org/1998/Math/MathML"
DOCTYPE = (
    '<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange DTD v1.3 20210610//EN" '
    '"JATS-archivearticle1-3.dtd">'
)
_REF_TYPES = {"ref-": "bibr", "fig-": "fig", "tbl-": "table", "sec-": "sec"}


def _plain(fragment: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", fragment or "")).strip()


def _sub(parent, tag, text=None, **attrs):
    from lxml import etree

    el = etree.SubElement(
        parent, tag, {k.replace("_", "-") if not k.startswith("{") else k: v for k, v in attrs.items()}
    )
    if text is not None:
        el.text = text
    return el


def _fragment(xml: str):
    from lxml import etree

    return etree.fromstring(f'<x xmlns:xlink="{XLINK}" xmlns:mml="{MML}">{xml}</x>'.encode())


def finish(body_xml: str, rk: dict, *, abstract_xml: str = "") -> bytes:
    from lxml import etree

    article = etree.Element(
        "article",
        nsmap={"xlink": XLINK, "mml": MML},
        attrib={
            "dtd-version": "1.3",
            "article-type": "review-article",
            "{http://www.w3.org/XML/1998/namespace}lang": "en",
        },
    )
    front = _sub(article, "front")
    meta = _sub(front, "article-meta")
    tg = _sub(meta, "title-group")
    _sub(tg, "article-title", rk.get("title", ""))
    _contribs(meta, rk)
    date = rk.get("build_date", "")
    if re.match(r"^\d{4}-\d{2}-\d{2}$", date):
        pd = _sub(meta, "pub-date", publication_format="electronic", date_type="pub")
        _sub(pd, "day", date[8:10])
        _sub(pd, "month", date[5:7])
        _sub(pd, "year", date[:4])
    if abstract_xml:
        abstract = _sub(meta, "abstract")
        for el in _fragment(abstract_xml):
            abstract.append(el)
    if rk.get("keywords"):
        kg = _sub(meta, "kwd-group", kwd_group_type="author")
        for k in rk["keywords"]:
            _sub(kg, "kwd", k)
    stmts = {k: (title, text) for k, title, text in rk.get("statements", [])}
    if "funding" in stmts:
        fg = _sub(meta, "funding-group")
        _sub(fg, "funding-statement", stmts["funding"][1])

    body = _fragment(body_xml)
    body.tag = "body"
    article.append(body)
    for x in article.iter("xref"):
        rid = x.get("rid", "")
        for prefix, kind in _REF_TYPES.items():
            if rid.startswith(prefix):
                x.set("ref-type", kind)
        x.attrib.pop("alt", None)

    back = _sub(article, "back")
    if "acknowledgements" in stmts:
        ack = _sub(back, "ack")
        _sub(ack, "title", "Acknowledgements")
        _sub(ack, "p", stmts["acknowledgements"][1])
    for key in ("conflicts", "data_availability"):
        if key in stmts:
            notes = _sub(
                back, "notes", notes_type={"conflicts": "conflict", "data_availability": "data-availability"}[key]
            )
            _sub(notes, "title", stmts[key][0])
            _sub(notes, "p", stmts[key][1])
    refs = rk.get("references", [])
    if refs:
        rl = _sub(back, "ref-list")
        _sub(rl, "title", "References")
        for r in refs:
            ref = _sub(rl, "ref", id=f"ref-{r['key']}")
            label = r.get("label", str(r["number"]))
            if label:
                _sub(ref, "label", label)
            mc = _sub(ref, "mixed-citation", publication_type=r.get("type", "journal"))
            mc.text = _plain(r["html"]) + " "
            ids = r.get("ids", {})
            for kind in ("doi", "pmid", "pmcid"):
                if ids.get(kind):
                    _sub(mc, "pub-id", ids[kind], pub_id_type=kind).tail = " "
            if ids.get("nct"):
                link = _sub(mc, "ext-link", ids["nct"], ext_link_type="clinicaltrials")
                link.set(f"{{{XLINK}}}href", f"https://clinicaltrials.gov/study/{ids['nct']}")
    if not len(back):
        article.remove(back)
    etree.indent(front, space="  ", level=1)  # generated here: no mixed content; pandoc's body keeps its own layout
    xml = etree.tostring(article, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + DOCTYPE + "\n" + xml + "\n").encode("utf-8")


def _contribs(meta, rk: dict) -> None:
    people = rk.get("contributors") or [{"name": n} for n in rk.get("authors", [])]
    if not people:
        return
    cg = _sub(meta, "contrib-group")
    numbered = bool(rk.get("contributors"))
    for p in people:
        if p.get("group") and p.get("on_behalf_of"):
            _sub(cg, "on-behalf-of", f"on behalf of {p['group']}")
            continue
        attrs = {"contrib_type": "author"}
        if p.get("equal_contribution"):
            attrs["equal_contrib"] = "yes"
        if p.get("corresponding"):
            attrs["corresp"] = "yes"
        c = _sub(cg, "contrib", **attrs)
        if p.get("orcid"):
            _sub(c, "contrib-id", f"https://orcid.org/{p['orcid']}", contrib_id_type="orcid")
        if p.get("group"):
            _sub(c, "collab", p["group"])
        elif p.get("family"):
            n = _sub(c, "name")
            _sub(n, "surname", p["family"])
            if p.get("given"):
                _sub(n, "given-names", p["given"])
        else:
            _sub(c, "string-name", p["name"])
        if p.get("email"):
            _sub(c, "email", p["email"])
        if numbered:
            for n in p.get("affiliations", []):
                _sub(c, "xref", str(n), ref_type="aff", rid=f"aff{n}")
            if p.get("corresponding"):
                n = [q for q in people if q.get("corresponding")].index(p) + 1
                _sub(c, "xref", "*", ref_type="corresp", rid=f"cor{n}")
    for i, a in enumerate(rk.get("affiliations", []), start=1):
        aff = _sub(meta, "aff", id=f"aff{i}")
        _sub(aff, "label", str(i)).tail = " "
        _sub(aff, "institution", a)
    corr = [p for p in people if p.get("corresponding")]
    if corr:
        an = _sub(meta, "author-notes")
        for i, p in enumerate(corr, start=1):
            cor = _sub(an, "corresp", id=f"cor{i}")
            cor.text = f"Corresponding author: {p.get('name') or p.get('group')}, "
            _sub(cor, "email", p["email"])
        if any(p.get("equal_contribution") for p in people):
            fn = _sub(an, "fn", fn_type="equal")
            _sub(fn, "p", "These authors contributed equally.")
