"""METS documents of an E-ARK CSIP/SIP 2.1 package: the package's and each representation's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pipeline.export.validate import CSIP_NS, METS_NS, SIP_NS, XLINK_NS

SIP_PROFILE = "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"
# CSIP's content categories have none for digitised records; TT 05 dossiers are textual works.
CONTENT_CATEGORY = "Textual works – Digital"
# No E-ARK content information type covers TT 05 dossiers: OTHER, and which one it is.
OTHER_CONTENT_TYPE = "TT 05/2025/TT-BNV digitised dossier (sohoa)"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_NSMAP = {"mets": METS_NS, "csip": CSIP_NS, "sip": SIP_NS, "xlink": XLINK_NS, "xsi": _XSI}


@dataclass(frozen=True)
class PackageFile:
    """A file of the package, as METS and PREMIS describe it."""

    path: str  # relative to the package root (or to its representation, in a representation METS)
    local: Path
    sha256: str
    size: int
    mimetype: str
    created: dt.datetime
    archive_name: str | None = None  # its name in the archive's dossier folder; None: made here


@dataclass(frozen=True)
class Metadata:
    """A metadata file the METS points at (dmdSec, digiprovMD)."""

    id: str
    file: PackageFile
    mdtype: str  # DC, PREMIS, OTHER
    other_mdtype: str | None = None


@dataclass(frozen=True)
class Agency:
    """The converting agency: from the signature certificate, else the commune."""

    name: str
    identification: str | None  # certificate SHA-256, or the commune code


def when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def package_mets(
    *,
    objid: str,
    label: str,
    now: dt.datetime,
    software_version: str,
    agency: Agency,
    reference_code: str | None,
    descriptive: list[Metadata],
    preservation: list[Metadata],
    documentation: list[PackageFile],
    schemas: list[PackageFile],
    representations: list[tuple[str, PackageFile]],
    schema_prefix: str = "schemas/",
) -> bytes:
    """The package's ``METS.xml``: header, pointers to the metadata, the file groups
    (documentation, schemas, one per representation pointing at its METS) and the one
    ``CSIP`` structural map."""
    from lxml import etree

    root = _root(objid, label, schema_prefix)
    _header(root, now, software_version, agency, reference_code)
    for md in descriptive:
        sec = _el(root, "dmdSec", ID=md.id, CREATED=when(md.file.created))
        _md_ref(sec, md)
    if preservation:
        amd = _el(root, "amdSec")
        for md in preservation:
            _md_ref(_el(amd, "digiprovMD", ID=md.id), md)
    file_sec = _el(root, "fileSec", ID="file-sec")
    groups: list[tuple[str, str]] = []
    if documentation:
        _group(file_sec, "grp-documentation", "Documentation", documentation, "documentation")
        groups.append(("Documentation", "grp-documentation"))
    if schemas:
        _group(file_sec, "grp-schemas", "Schemas", schemas, "schema")
        groups.append(("Schemas", "grp-schemas"))
    for name, mets_file in representations:
        _group(file_sec, f"grp-{name}", f"Representations/{name}", [mets_file], name)

    smap = _el(root, "structMap", ID="struct-map", TYPE="PHYSICAL", LABEL="CSIP")
    top = _el(smap, "div", ID="div-package", LABEL=objid)
    md_div = _el(top, "div", ID="div-metadata", LABEL="Metadata")
    if descriptive:
        md_div.set("DMDID", " ".join(md.id for md in descriptive))
    if preservation:
        md_div.set("ADMID", " ".join(md.id for md in preservation))
    for label_, grp_id in groups:
        div = _el(top, "div", ID=f"div-{label_.lower()}", LABEL=label_)
        _el(div, "fptr", FILEID=grp_id)
    if representations:
        reps = _el(top, "div", ID="div-representations", LABEL="Representations")
        for name, _ in representations:
            _el(reps, "fptr", FILEID=f"grp-{name}")
        for name, mets_file in representations:
            div = _el(reps, "div", ID=f"div-{name}", LABEL=f"representations/{name}")
            _mptr(div, mets_file.path, f"grp-{name}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def representation_mets(
    *,
    objid: str,
    name: str,
    label: str,
    now: dt.datetime,
    software_version: str,
    agency: Agency,
    files: list[PackageFile],
    preservation: list[Metadata] = (),  # type: ignore[assignment]
) -> bytes:
    """A representation's ``METS.xml``: its data files, with size, checksum, type and date."""
    from lxml import etree

    root = _root(f"{objid}/{name}", label, "../../schemas/")
    _header(root, now, software_version, agency, None)
    if preservation:
        amd = _el(root, "amdSec")
        for md in preservation:
            _md_ref(_el(amd, "digiprovMD", ID=md.id), md)
    file_sec = _el(root, "fileSec", ID=f"{name}-file-sec")
    _group(file_sec, f"{name}-grp-data", "Data", files, f"{name}-file")
    smap = _el(root, "structMap", ID=f"{name}-struct-map", TYPE="PHYSICAL", LABEL="CSIP")
    top = _el(smap, "div", ID=f"{name}-div", LABEL=name)
    if preservation:
        md_div = _el(top, "div", ID=f"{name}-div-metadata", LABEL="Metadata")
        md_div.set("ADMID", " ".join(md.id for md in preservation))
    data = _el(top, "div", ID=f"{name}-div-data", LABEL="Data")
    _el(data, "fptr", FILEID=f"{name}-grp-data")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# -- pieces ------------------------------------------------------------------------------


def _q(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


def _el(parent, local: str, **attrs: str):
    from lxml import etree

    el = etree.SubElement(parent, _q(METS_NS, local))
    for k, v in attrs.items():
        el.set(k, v)
    return el


def _root(objid: str, label: str, schema_prefix: str):
    from lxml import etree

    root = etree.Element(_q(METS_NS, "mets"), nsmap=_NSMAP)
    root.set("OBJID", objid)
    root.set("LABEL", label)
    root.set("TYPE", CONTENT_CATEGORY)
    root.set(_q(CSIP_NS, "CONTENTINFORMATIONTYPE"), "OTHER")
    root.set(_q(CSIP_NS, "OTHERCONTENTINFORMATIONTYPE"), OTHER_CONTENT_TYPE)
    root.set("PROFILE", SIP_PROFILE)
    root.set(
        _q(_XSI, "schemaLocation"),
        " ".join([
            METS_NS, f"{schema_prefix}mets.xsd",
            XLINK_NS, f"{schema_prefix}xlink.xsd",
            CSIP_NS, f"{schema_prefix}DILCISExtensionMETS.xsd",
            SIP_NS, f"{schema_prefix}DILCISExtensionSIPMETS.xsd",
        ]),
    )
    return root


def _header(root, now: dt.datetime, software_version: str, agency: Agency, reference_code: str | None) -> None:
    hdr = _el(root, "metsHdr", CREATEDATE=when(now), RECORDSTATUS="NEW")
    hdr.set(_q(CSIP_NS, "OAISPACKAGETYPE"), "SIP")
    software = _el(hdr, "agent", ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE")
    _el(software, "name").text = "sohoa"
    note = _el(software, "note")
    note.text = software_version
    note.set(_q(CSIP_NS, "NOTETYPE"), "SOFTWARE VERSION")
    # The submitter: the converting agency, whose certificate signed the documents. Not a
    # CREATOR: CSIP holds every CREATOR agent of the header to be the software.
    org = _el(hdr, "agent", ROLE="OTHER", OTHERROLE="SUBMITTER", TYPE="ORGANIZATION")
    _el(org, "name").text = agency.name
    if agency.identification:
        ident = _el(org, "note")
        ident.text = agency.identification
        ident.set(_q(CSIP_NS, "NOTETYPE"), "IDENTIFICATIONCODE")
    if reference_code:
        _el(hdr, "altRecordID", TYPE="REFERENCECODE").text = reference_code


def _md_ref(parent, md: Metadata) -> None:
    f = md.file
    ref = _el(parent, "mdRef", LOCTYPE="URL", MDTYPE=md.mdtype, MIMETYPE=f.mimetype, SIZE=str(f.size),
              CREATED=when(f.created), CHECKSUM=f.sha256, CHECKSUMTYPE="SHA-256")
    if md.other_mdtype:
        ref.set("OTHERMDTYPE", md.other_mdtype)
    ref.set(_q(XLINK_NS, "type"), "simple")
    ref.set(_q(XLINK_NS, "href"), _href(f.path))


def _group(parent, grp_id: str, use: str, files: list[PackageFile], id_prefix: str):
    grp = _el(parent, "fileGrp", ID=grp_id, USE=use)
    # The validator's CSIP63 holds every file group, not only a representation's, to name it.
    grp.set(_q(CSIP_NS, "CONTENTINFORMATIONTYPE"), "OTHER")
    grp.set(_q(CSIP_NS, "OTHERCONTENTINFORMATIONTYPE"), OTHER_CONTENT_TYPE)
    for n, f in enumerate(files, 1):
        el = _el(grp, "file", ID=f"{id_prefix}-{n:04d}", MIMETYPE=f.mimetype, SIZE=str(f.size),
                 CREATED=when(f.created), CHECKSUM=f.sha256, CHECKSUMTYPE="SHA-256")
        loc = _el(el, "FLocat", LOCTYPE="URL")
        loc.set(_q(XLINK_NS, "type"), "simple")
        loc.set(_q(XLINK_NS, "href"), _href(f.path))
    return grp


def _mptr(parent, path: str, title: str) -> None:
    ptr = _el(parent, "mptr", LOCTYPE="URL")
    ptr.set(_q(XLINK_NS, "type"), "simple")
    ptr.set(_q(XLINK_NS, "href"), _href(path))
    ptr.set(_q(XLINK_NS, "title"), title)


def _href(path: str) -> str:
    """A relative URL: each segment percent-encoded (spaces, Vietnamese letters), slashes kept."""
    from urllib.parse import quote

    return quote(path, safe="/")
