"""The signing revision as PDF/A wants it, and the signed file read back before it is kept.

The signature is one incremental update appended to the validated PDF/A-2b, so
the archival file underneath stays byte for byte what ``pipeline.pdfa`` wrote.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import datetime
from pathlib import Path
from typing import cast

from asn1crypto import x509 as asn1_x509

from pipeline.core.errors import SigningError


def _writer_base():
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    return IncrementalPdfFileWriter


class ArchivalWriter(_writer_base()):  # type: ignore[misc]  # pyHanko loaded only when signing
    """An incremental writer that keeps XMP and the document information in agreement.

    pyHanko writes ``pyHanko x.y`` as the XMP Producer but appends it to the
    Info Producer, and takes two clocks for the two modification dates; PDF/A
    wants the pairs equal. Here both get the same Producer and the signing time.
    """

    _xmp: bytes | None = None
    _metadata_ref = None
    _producer: str | None = None
    _when: datetime | None = None

    def prepare_metadata(self, original: bytes, when: datetime) -> None:
        import pikepdf
        from pyhanko.pdf_utils.metadata.model import VENDOR

        with pikepdf.open(io.BytesIO(original)) as pdf:
            old = str(pdf.docinfo.get("/Producer", "")) if "/Info" in pdf.trailer else ""
            if not old:
                with pdf.open_metadata() as meta:
                    old = meta.get("pdf:Producer", "") or ""
            ours = VENDOR  # "pyHanko x.y.z"
            producer = old if ours in old else "; ".join(p for p in (old, ours) if p)
            with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
                meta["pdf:Producer"] = producer
                meta["xmp:ModifyDate"] = when.isoformat()
                meta["xmp:MetadataDate"] = when.isoformat()
                meta["xmpMM:InstanceID"] = f"uuid:{uuid.uuid4()}"
            self._xmp = bytes(pdf.Root.Metadata.read_bytes())
        self._producer = producer
        self._when = when

    def _update_meta(self):
        from pyhanko.pdf_utils import generic

        if self._xmp is None:  # not prepared: pyHanko's own behaviour
            return super()._update_meta()
        trailer = self.trailer_view
        if "/Info" in trailer:
            info_ref = trailer.raw_get("/Info")
            info = info_ref.get_object()
            info["/Producer"] = generic.TextStringObject(self._producer)
            info["/ModDate"] = generic.pdf_date(cast(datetime, self._when))
            if isinstance(info_ref, generic.IndirectObject):
                self.mark_update(info_ref)
        if self._metadata_ref is None:  # pyHanko may prepare the document more than once
            stream = generic.StreamObject(
                {"/Type": generic.NameObject("/Metadata"), "/Subtype": generic.NameObject("/XML")},
                stream_data=self._xmp,
            )
            self._metadata_ref = self.add_object(stream)
            self.root["/Metadata"] = self._metadata_ref
            self.update_root()


def check_signed(path: Path, cert: asn1_x509.Certificate, prepared):
    """Read the new file back: our certificate's signature over every byte but its own.

    Returns the signature's SignerInfo. Cheap (one hash, one public-key
    operation), so every file gets it before it is moved into place.
    """
    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity

    data = path.read_bytes()
    start, end = prepared.reserved_region_start, prepared.reserved_region_end
    ok = False
    signer_info = None
    try:
        contents = data[start:end]
        ok = contents[:1] == b"<" and contents[-1:] == b">"
        ok = ok and data.rstrip(b"\r\n").endswith(b"%%EOF")
        signed_data = cms.ContentInfo.load(bytes.fromhex(contents[1:-1].decode("ascii")), strict=False)["content"]
        signer_info = signed_data["signer_infos"][0]
        digest = hashlib.sha256(data[:start] + data[end:]).digest()
        byte_range = f"/ByteRange [0 {start} {end} {len(data) - end}]".encode()
        ok = ok and digest == prepared.document_digest and byte_range in data[end:]
        certs = [c.chosen for c in signed_data["certificates"]]
        ok = ok and any(c.dump() == cert.dump() for c in certs)
        intact, valid = validate_sig_integrity(signer_info, cert, expected_content_type="data", actual_digest=digest)
        ok = ok and intact and valid
    except Exception:  # noqa: BLE001 - anything unreadable here means the file is not good
        ok = False
    if not ok:
        raise SigningError(
            "the signed file did not check out after signing; nothing was written",
            "tệp sau khi ký không qua bước kiểm tra; không ghi ra",
            path,
        )
    return signer_info
