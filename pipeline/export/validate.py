"""A package checked before it is handed over: METS, PREMIS and Dublin Core against the
vendored schemas, the BagIt bag, and every payload checksum against the archive's."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

SCHEMAS = Path(__file__).resolve().parent / "schemas"

METS_NS = "http://www.loc.gov/METS/"
PREMIS_NS = "http://www.loc.gov/premis/v3"
DC_CONTAINER_NS = "urn:sohoa:schema:dublin-core:1"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
CSIP_NS = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
SIP_NS = "https://DILCIS.eu/XML/METS/SIPExtensionMETS"

# Root namespace → the schemas that validate it. The namespaces a schema imports from the web
# (xlink, xml) come first: libxml2 keeps the first schema given for a namespace, so the
# local copy is used and nothing is fetched.
_SETS: dict[str, list[tuple[str, str]]] = {
    METS_NS: [
        (XLINK_NS, "xlink.xsd"), (METS_NS, "mets.xsd"),
        (CSIP_NS, "DILCISExtensionMETS.xsd"), (SIP_NS, "DILCISExtensionSIPMETS.xsd"),
    ],
    PREMIS_NS: [(PREMIS_NS, "premis.xsd")],
    DC_CONTAINER_NS: [(XML_NS, "xml.xsd"), (DC_CONTAINER_NS, "sohoa-dc.xsd")],
}


class PackageProblems(list[str]):
    """What is wrong with a package, one sentence each; empty when it is valid."""


@functools.cache
def _schema(namespace: str):
    from lxml import etree

    imports = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{(SCHEMAS / name).as_uri()}"/>'
        for ns, name in _SETS[namespace]
    )
    driver = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        f'targetNamespace="urn:sohoa:validation">{imports}</xs:schema>'
    )
    parser = etree.XMLParser(no_network=True)
    return etree.XMLSchema(etree.fromstring(driver.encode(), parser, base_url=SCHEMAS.as_uri() + "/"))


def warm_up() -> None:
    """Load the schemas ahead of the first package (a tenth of a second each)."""
    for namespace in _SETS:
        _schema(namespace)


def xml_problems(path: Path, label: str) -> list[str]:
    """``path`` against the schema of its root element's namespace; ``label`` names it."""
    from lxml import etree

    try:
        tree = etree.parse(str(path), etree.XMLParser(no_network=True, resolve_entities=False))
    except etree.XMLSyntaxError as e:
        return [f"{label}: not well-formed XML: {e}"]
    namespace = etree.QName(tree.getroot()).namespace or ""
    if namespace not in _SETS:
        return [f"{label}: no schema for the root element {tree.getroot().tag}"]
    schema = _schema(namespace)
    if schema.validate(tree):
        return []
    return [f"{label}:{e.line}: {e.message}" for e in schema.error_log][:20]


def bag_problems(bag_dir: Path, expected: Mapping[str, str], bag=None) -> list[str]:
    """The bag valid (RFC 8493: every file listed, every checksum right, nothing extra), and
    each payload file whose SHA-256 the archive knows (``expected``: path under ``data/`` →
    SHA-256) carrying exactly that checksum in the bag's manifest. ``bag``: the
    ``bagit.Bag`` just made there, to save reading its manifests again."""
    import bagit

    problems: list[str] = []
    try:
        bag = bag or bagit.Bag(str(bag_dir))
        bag.validate(processes=1)
    except bagit.BagValidationError as e:
        details = [f"BagIt: {d}" for d in getattr(e, "details", None) or []]
        return details[:20] or [f"BagIt: {e.message}"]
    except bagit.BagError as e:
        return [f"BagIt: {e}"]
    manifest = {name: sums.get("sha256") for name, sums in bag.payload_entries().items()}
    for name, sha in sorted(expected.items()):
        got = manifest.get(f"data/{name}")
        if got is None:
            problems.append(f"{name}: missing from the bag's manifest")
        elif got != sha:
            problems.append(f"{name}: SHA-256 {got} in the bag, {sha} in the archive")
    return problems


def check_package(path: Path) -> list[str]:
    """Check a package as an archive receiving it would: a ``.zip`` (one root folder, the bag)
    or the bag's folder. The bag (every file listed, every checksum right, nothing extra),
    every METS, PREMIS and Dublin Core file against its schema, and every file a METS names
    there with the size and SHA-256 the METS gives. Returns the problems; none: valid."""
    import tempfile
    import zipfile

    if path.is_dir():
        return _check_bag(path)
    if not zipfile.is_zipfile(path):
        return [f"{path.name}: neither a folder nor a .zip"]
    with tempfile.TemporaryDirectory(prefix="sohoa-check-") as tmp:
        with zipfile.ZipFile(path) as z:
            for member in z.namelist():
                if member.startswith("/") or ".." in Path(member).parts:
                    return [f"{path.name}: unsafe path in the zip: {member}"]
            z.extractall(tmp)
        roots = [p for p in Path(tmp).iterdir()]
        if len(roots) != 1 or not roots[0].is_dir():
            return [f"{path.name}: the zip must hold one root folder (the bag), not {len(roots)} entries"]
        return _check_bag(roots[0])


def _check_bag(bag: Path) -> list[str]:
    problems = bag_problems(bag, {})
    data = bag / "data"
    packages = [p for p in data.iterdir() if p.is_dir()] if data.is_dir() else []
    if len(packages) != 1 or not (packages[0] / "METS.xml").is_file():
        return [*problems, "data/ must hold one E-ARK package folder with a METS.xml"]
    ip = packages[0]
    xml_files = [ip / "METS.xml", *sorted(ip.glob("representations/*/METS.xml")), *sorted(ip.glob("metadata/*/*.xml"))]
    for xml in xml_files:
        problems += xml_problems(xml, xml.relative_to(bag).as_posix())
    for mets in [ip / "METS.xml", *sorted(ip.glob("representations/*/METS.xml"))]:
        problems += _mets_references(mets, bag, ip)
    return problems


def _mets_references(mets: Path, bag: Path, ip: Path) -> list[str]:
    """Each file and metadata file a METS points at: there, with its SIZE and CHECKSUM."""
    import hashlib
    from urllib.parse import unquote

    from lxml import etree

    try:
        tree = etree.parse(str(mets), etree.XMLParser(no_network=True, resolve_entities=False))
    except etree.XMLSyntaxError:
        return []  # already reported by the schema check
    problems: list[str] = []
    label = mets.relative_to(bag).as_posix()
    base = mets.parent.resolve()
    pointers = []
    for f in tree.iter(f"{{{METS_NS}}}file"):
        loc = f.find(f"{{{METS_NS}}}FLocat")
        if loc is not None:
            pointers.append((f, loc.get(f"{{{XLINK_NS}}}href")))
    pointers += [(ref, ref.get(f"{{{XLINK_NS}}}href")) for ref in tree.iter(f"{{{METS_NS}}}mdRef")]
    for element, href in pointers:
        if not href:
            problems.append(f"{label}: a file without its location (xlink:href)")
            continue
        target = (base / unquote(href)).resolve()
        if not target.is_relative_to(ip.resolve()):
            problems.append(f"{label}: {href} points outside the package")
            continue
        if not target.is_file():
            problems.append(f"{label}: {href} is missing")
            continue
        size, checksum = element.get("SIZE"), (element.get("CHECKSUM") or "").lower()
        if size is not None and int(size) != target.stat().st_size:
            problems.append(f"{label}: {href} has {target.stat().st_size} bytes, the METS says {size}")
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        if checksum and digest != checksum:
            problems.append(f"{label}: {href} has SHA-256 {digest}, the METS says {checksum}")
    return problems
