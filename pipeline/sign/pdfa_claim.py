"""Does a signed file still meet its PDF/A claim?

pikepdf's validator approves or refuses a whole file, but it does not check
interactive forms, and a signature is one. So the claim is checked in parts:

1. the base revision — the bytes up to the first ``%%EOF``, the file as
   ``pipeline.pdfa`` wrote it — must pass pikepdf's validator;
2. each later revision may only add or change what signing needs: the
   signature field, its widget and appearance (fonts embedded), the signature
   value, the AcroForm, the Document Security Store, the XMP packet and the
   document information; never actions, scripts, attachments or other pages;
3. the latest revision, with the signature widgets turned into the plain
   drawings they look like (their appearance streams placed on the page), must
   pass the validator too — that checks the appearance's fonts and the
   agreement of XMP and document information after signing;
4. nothing may follow the last ``%%EOF``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

# Keys the signing revision may change in the catalog.
_CATALOG_KEYS = {"/AcroForm", "/DSS", "/Metadata", "/Extensions", "/Perms"}
# Never in what signing adds (ISO 19005-2 6.5, 6.6, 6.8, 6.9).
_FORBIDDEN_KEYS = {"/JS", "/JavaScript", "/AA", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/XFA",
                   "/OpenAction", "/Encrypt", "/AF", "/RichMedia"}
_ALLOWED_FILTERS = {"/FlateDecode", "/DCTDecode", "/CCITTFaxDecode", "/RunLengthDecode", "/ASCIIHexDecode",
                    "/ASCII85Decode", "/JBIG2Decode", "/JPXDecode"}
_MAX_STRING = 32767  # ISO 19005-2 6.1.13: bytes in a string
# Annotation flags: Invisible 1, Hidden 2, Print 4, NoView 32, ToggleNoView 256.
_PRINT, _NOT_ALLOWED = 4, 1 | 2 | 32 | 256


@dataclass
class PdfaCheck:
    claim: str | None  # e.g. "2B", from the XMP of the latest revision; None: no claim
    problems: list[str] = field(default_factory=list)
    revisions: int = 1

    @property
    def holds(self) -> bool:
        return self.claim is not None and not self.problems


def check(path: Path | bytes) -> PdfaCheck:
    """Check a (possibly signed) file against the PDF/A flavour its XMP claims."""
    import pikepdf
    from pyhanko.pdf_utils.reader import PdfFileReader

    data = path if isinstance(path, bytes) else Path(path).read_bytes()
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            claim = pdf.open_metadata().pdfa_status or None
    except Exception as e:  # noqa: BLE001 - an unreadable file claims nothing
        return PdfaCheck(None, [f"unreadable: {type(e).__name__}: {e}"])
    if claim is None:
        return PdfaCheck(None)
    flavour = claim[0] + "b"  # the B level of the claimed part is what pikepdf can check
    result = PdfaCheck(claim)
    if flavour not in ("1b", "2b", "3b"):
        result.problems.append(f"PDF/A-{claim} cannot be checked")
        return result

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    result.revisions = reader.xrefs.total_revisions
    end = revision_end(data, reader, 0)
    result.problems += [f"base revision: {p}" for p in _validate(data[:end], flavour)]
    for revision in range(1, result.revisions):
        result.problems += [f"revision {revision}: {p}" for p in check_increment(reader, revision)]
    if result.revisions > 1:
        result.problems += [f"signed file: {p}" for p in _validate_projection(data, flavour)]
    last = revision_end(data, reader, result.revisions - 1)
    if data[last:].strip(b"\r\n\t\f\0 "):
        result.problems.append(f"{len(data) - last} bytes after the last %%EOF (not part of any revision)")
    return result


def revision_end(data: bytes, reader, revision: int) -> int:
    """Offset just past a revision's ``%%EOF`` and its end-of-line."""
    xref_end = reader.xrefs.get_xref_container_info(revision).end_location
    eof = data.find(b"%%EOF", xref_end)
    if eof < 0:
        return len(data)
    end = eof + 5
    if data[end : end + 2] == b"\r\n":
        return end + 2
    if data[end : end + 1] in (b"\r", b"\n"):
        return end + 1
    return end


def base_revision(data: bytes) -> bytes:
    """The bytes of the first revision: the file before anything was appended."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    return data[: revision_end(data, reader, 0)]


def _validate(data: bytes, flavour: str) -> list[str]:
    import pikepdf.pdfa

    report = pikepdf.pdfa.validate_written(io.BytesIO(data), flavour)
    return [str(f) for f in report.findings]


# -- what a revision adds ------------------------------------------------------------


def check_increment(reader, revision: int) -> list[str]:
    """Problems with what ``revision`` adds or changes, for PDF/A."""
    from pyhanko.pdf_utils import generic

    now = reader.get_historical_resolver(revision)
    before = reader.get_historical_resolver(revision - 1)
    problems: list[str] = []
    root_now, root_before = now.root, before.root
    root_ref = now.trailer_view.raw_get("/Root")

    # Everything signing legitimately adds hangs off these; pages and parents are not followed.
    starts = [root_now.raw_get(k) for k in ("/AcroForm", "/DSS", "/Metadata", "/Extensions") if k in root_now]
    if "/Info" in now.trailer_view:
        starts.append(now.trailer_view.raw_get("/Info"))
    reachable, objects = _walk(now, starts)

    for ref in reader.xrefs.explicit_refs_in_revision(revision):
        where = f"object {ref.idnum}"
        if (ref.idnum, ref.generation) == (root_ref.idnum, root_ref.generation):
            changed = _changed_keys(root_now, root_before)
            version = str(_get(root_now, "/Version", "/1.0")).lstrip("/")
            if "/Version" in changed and version in ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7"):
                changed.discard("/Version")  # PAdES needs 1.7 declared; PDF/A-2 is built on 1.7
            if changed - _CATALOG_KEYS:
                problems.append(f"the catalog's {sorted(changed - _CATALOG_KEYS)} changed")
            continue
        if (ref.idnum, ref.generation) in reachable:
            continue
        obj = now.get_object(ref)
        if isinstance(obj, generic.DictionaryObject) and _get(obj, "/Type") == "/Page":
            old = before.get_object(ref)
            changed = _changed_keys(obj, old)
            if changed - {"/Annots"}:
                problems.append(f"{where}: page entries {sorted(changed - {'/Annots'})} changed")
            problems += _check_annots(now, obj, where)
            continue
        if isinstance(obj, generic.StreamObject) and _get(obj, "/Type") in ("/XRef", "/ObjStm"):
            continue
        problems.append(f"{where} was added or changed outside the signature, its appearance, "
                        f"the DSS and the metadata")

    for ref, obj in objects:
        problems += _check_object(now, obj, f"object {ref[0]}")
    return problems


def _get(d, key: str, default=None):
    """A dictionary entry, dereferenced (pyHanko's ``get`` leaves references as they are)."""
    return d[key] if key in d else default


def _changed_keys(new, old) -> set[str]:
    return {k for k in set(new) | set(old) if k not in new or k not in old or new.raw_get(k) != old.raw_get(k)}


def _walk(resolver, starts):
    from pyhanko.pdf_utils import generic

    seen: set[tuple[int, int]] = set()
    objects = []
    todo = list(starts)
    while todo:
        item = todo.pop()
        if isinstance(item, generic.IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = item.get_object()
            objects.append((key, obj))
            item = obj
        if isinstance(item, generic.DictionaryObject):
            for k in item:
                if k in ("/P", "/Parent"):  # back to pages: not what signing added
                    continue
                todo.append(item.raw_get(k))
        elif isinstance(item, generic.ArrayObject):
            todo.extend(item.raw_get(i) for i in range(len(item)))
    return seen, objects


def _check_object(resolver, obj, where: str) -> list[str]:
    from pyhanko.pdf_utils import generic

    problems = []
    if isinstance(obj, generic.DictionaryObject):
        bad = _FORBIDDEN_KEYS & set(obj)
        if bad:
            problems.append(f"{where} has {sorted(bad)}")
        if _get(obj, "/NeedAppearances") is True or _get(obj, "/NeedAppearances") == generic.BooleanObject(True):
            problems.append(f"{where}: /NeedAppearances true")
        if isinstance(obj, generic.StreamObject):
            filters = _get(obj, "/Filter")
            names = [str(f) for f in filters] if isinstance(filters, generic.ArrayObject) else (
                [str(filters)] if filters is not None else [])
            if set(names) - _ALLOWED_FILTERS:
                problems.append(f"{where}: filter {sorted(set(names) - _ALLOWED_FILTERS)}")
        subtype = _get(obj, "/Subtype")
        if _get(obj, "/Type") == "/Font" or subtype in ("/Type0", "/TrueType", "/Type1", "/CIDFontType2",
                                                       "/CIDFontType0", "/MMType1"):
            problems += _check_font(obj, where)
        if subtype == "/Widget" or _get(obj, "/Type") == "/Annot":
            problems += _check_annotation(obj, where)
        if _get(obj, "/Type") in ("/Sig", "/DocTimeStamp"):
            contents = obj.raw_get("/Contents") if "/Contents" in obj else None
            if contents is not None and len(bytes(contents.original_bytes)) > _MAX_STRING:
                problems.append(f"{where}: signature value longer than {_MAX_STRING} bytes")
    return problems


def _check_font(font, where: str) -> list[str]:
    subtype = _get(font, "/Subtype")
    if subtype == "/Type3":
        return []
    if subtype == "/Type0":
        descendants = _get(font, "/DescendantFonts")
        problems = []
        for d in descendants or ():
            d = d.get_object()
            problems += _check_font(d, where)
            if _get(d, "/Subtype") == "/CIDFontType2" and "/CIDToGIDMap" not in d:
                problems.append(f"{where}: CIDFontType2 without /CIDToGIDMap")
        return problems
    descriptor = _get(font, "/FontDescriptor")
    if descriptor is None:
        return [f"{where}: font {font.get('/BaseFont')} has no font descriptor (not embedded)"]
    if not ({"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor)):
        return [f"{where}: font {font.get('/BaseFont')} is not embedded"]
    return []


def _check_annotation(annot, where: str) -> list[str]:
    problems = []
    flags = int(_get(annot, "/F", 0))
    if not flags & _PRINT or flags & _NOT_ALLOWED:
        problems.append(f"{where}: annotation flags {flags} (PDF/A: Print set; Hidden, Invisible, NoView off)")
    rect = [float(v) for v in _get(annot, "/Rect", [0, 0, 0, 0])]
    zero = abs(rect[2] - rect[0]) == 0 and abs(rect[3] - rect[1]) == 0
    ap = _get(annot, "/AP")
    if ap is None and not zero:
        problems.append(f"{where}: annotation without an appearance")
    if ap is not None and set(ap) - {"/N"}:
        problems.append(f"{where}: appearance dictionary with {sorted(set(ap) - {'/N'})} (PDF/A: /N only)")
    return problems


def _check_annots(resolver, page, where: str) -> list[str]:
    problems = []
    for annot in _get(page, "/Annots") or ():
        annot = annot.get_object() if hasattr(annot, "get_object") else annot
        problems += _check_annotation(annot, where + " annotation")
    return problems


# -- the latest revision, as drawn --------------------------------------------------------


def _validate_projection(data: bytes, flavour: str) -> list[str]:
    """The signed file with its signature widgets replaced by what they draw, validated."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        for key in ("/AcroForm", "/DSS"):
            if key in pdf.Root:
                del pdf.Root[key]
        extensions = pdf.Root.get("/Extensions")
        if extensions is not None:
            # ETSI's extension only declares PAdES support (ISO 32000-2 / ESIC); not a PDF/A construct.
            for name in [k for k in extensions.keys() if k != "/ADBE"]:
                del extensions[name]
            if not extensions.keys():
                del pdf.Root["/Extensions"]
        for page in pdf.pages:
            annots = page.obj.get("/Annots")
            if annots is None:
                continue
            kept = pikepdf.Array()
            for i, annot in enumerate(annots):
                if annot.get("/FT") != "/Sig" and annot.get("/Subtype") != "/Widget":
                    kept.append(annot)
                    continue
                appearance = annot.AP.get("/N") if "/AP" in annot else None
                if isinstance(appearance, pikepdf.Stream):
                    _draw_on_page(pdf, page, appearance, annot.Rect, f"/SohoaSig{i}")
            if len(kept):
                page.obj.Annots = kept
            else:
                del page.obj["/Annots"]
        out = io.BytesIO()
        pdf.save(out)
    return _validate(out.getvalue(), flavour)


def _draw_on_page(pdf, page, form, rect, name: str) -> None:
    """Place a form XObject on the page where the annotation showed it (ISO 32000-1 12.5.5)."""
    import pikepdf

    x0, y0, x1, y1 = (float(v) for v in rect)
    bx0, by0, bx1, by1 = (float(v) for v in form.BBox)
    a, b, c, d, e, f = (float(v) for v in form.get("/Matrix", [1, 0, 0, 1, 0, 0]))
    corners = [(a * x + c * y + e, b * x + d * y + f) for x in (bx0, bx1) for y in (by0, by1)]
    tx0, ty0 = min(p[0] for p in corners), min(p[1] for p in corners)
    tx1, ty1 = max(p[0] for p in corners), max(p[1] for p in corners)
    sx = (max(x0, x1) - min(x0, x1)) / ((tx1 - tx0) or 1)
    sy = (max(y0, y1) - min(y0, y1)) / ((ty1 - ty0) or 1)
    tx, ty = min(x0, x1) - tx0 * sx, min(y0, y1) - ty0 * sy
    if "/Resources" not in page.obj:
        page.obj.Resources = pikepdf.Dictionary()
    resources = page.obj.Resources
    if "/XObject" not in resources:
        resources.XObject = pikepdf.Dictionary()
    resources.XObject[name] = form
    page.contents_add(
        pdf.make_stream(f"q {sx:.6f} 0 0 {sy:.6f} {tx:.4f} {ty:.4f} cm {name} Do Q\n".encode()), prepend=False
    )
