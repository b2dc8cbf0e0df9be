"""The embedded SeaweedFS lets nobody around its S3 port: an anonymous request to the master,
volume server or filer (HTTP or gRPC) neither reads nor deletes an archived object.

The attacker knows everything but the keys: the ports (ports.json) and the object's file id on
the volume server (looked up here with weed's own shell and the store's certificate)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import socket
import ssl
import subprocess
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from pipeline import archive
from pipeline._exec import seaweedfs
from tests.seaweed import Seaweed, make_dossier, seaweed  # noqa: F401

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def request(method: str, url: str, headers: dict | None = None) -> tuple[int, bytes]:
    try:
        with _OPENER.open(urllib.request.Request(url, method=method, headers=headers or {}), timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def weed_shell(cwd: Path, ports: dict, command: str, *, home: Path, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(seaweedfs.binary()), "shell",
            f"-master=127.0.0.1:{ports['master']}.{ports['master_grpc']}",
            f"-filer=127.0.0.1:{ports['filer']}.{ports['filer_grpc']}",
        ],
        input=command, capture_output=True, text=True, cwd=cwd, timeout=timeout, check=False,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(home)},
    )


def jwt(key: str, claims: dict) -> str:
    """An HS256 token as weed signs them (what only a holder of the key can make)."""

    def b64(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    head = b64(b'{"alg":"HS256","typ":"JWT"}') + b"." + b64(json.dumps(claims).encode())
    return (head + b"." + b64(hmac.new(key.encode(), head, hashlib.sha256).digest())).decode()


def file_id(seaweed: Seaweed, ports: dict, bucket: str, key: str) -> str:
    """The volume server's file id of an object's only version (an administrator's view)."""
    folder = f"/buckets/{bucket}/{key}.versions"
    listing = weed_shell(seaweed.root, ports, f"fs.ls {folder}", home=seaweed.root, timeout=30)
    names = [line.strip() for line in listing.stdout.splitlines() if line.strip().startswith("v_")]
    assert len(names) == 1, listing.stdout + listing.stderr
    meta = weed_shell(seaweed.root, ports, f"fs.meta.cat {folder}/{names[0]}", home=seaweed.root, timeout=30)
    chunks = json.JSONDecoder().raw_decode(meta.stdout[meta.stdout.index("{"):])[0]["chunks"]
    return chunks[0]["fileId"]


def test_anonymous_requests_cannot_read_or_delete_an_archived_object(seaweed: Seaweed, tmp_path: Path) -> None:
    store = seaweed.bucket(object_lock=True)
    out, rec = make_dossier(tmp_path)
    key = archive.archive_dossier(store, out, rec).key
    pdf_key = key + rec.outputs[0].file
    original = (out / rec.outputs[0].file).read_bytes()
    ports = json.loads(seaweed.root.joinpath("ports.json").read_text(encoding="utf-8"))
    fid = file_id(seaweed, ports, store.bucket, pdf_key)
    volume = f"http://127.0.0.1:{ports['volume']}"
    master = f"http://127.0.0.1:{ports['master']}"
    filer = f"http://127.0.0.1:{ports['filer']}"
    s3 = f"http://127.0.0.1:{ports['s3']}/{store.bucket}/{pdf_key}"

    # Volume server: the bytes are there, but only for a token signed with the store's key.
    status, body = request("GET", f"{volume}/{fid}")
    assert status == 401 and original not in body
    assert request("DELETE", f"{volume}/{fid}")[0] == 401
    forged = jwt("not-the-key", {"fid": fid, "exp": int(time.time()) + 60})
    assert request("DELETE", f"{volume}/{fid}", {"Authorization": f"Bearer {forged}"})[0] == 401
    security = tomllib.loads(seaweed.root.joinpath("security.toml").read_text(encoding="utf-8"))
    signed = jwt(security["jwt"]["signing"]["read"]["key"], {"fid": fid, "exp": int(time.time()) + 60})
    assert request("GET", f"{volume}/{fid}", {"Authorization": f"Bearer {signed}"}) == (200, original)

    # Master: no HTTP API to hand out tokens or locations.
    for path in (f"/dir/lookup?fileId={fid}", f"/dir/lookup?fileId={fid}&read=yes", "/dir/assign", "/dir/status"):
        status, body = request("GET", master + path)
        assert status == 404 and b"auth" not in body, path
    # Filer: no HTTP API at all.
    for method in ("GET", "DELETE"):
        assert request(method, f"{filer}/buckets/{store.bucket}/{pdf_key}")[0] == 404
    # S3 without credentials.
    assert request("GET", s3)[0] == 403 and request("DELETE", s3)[0] == 403

    # gRPC: no handshake without a certificate from the store's own CA.
    for name in ("master_grpc", "volume_grpc", "filer_grpc", "s3_grpc"):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        with pytest.raises((ssl.SSLError, ConnectionError)):  # noqa: PT012
            with socket.create_connection(("127.0.0.1", ports[name]), timeout=5) as raw:
                with context.wrap_socket(raw) as tls:
                    tls.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
                    if not tls.recv(1):
                        raise ConnectionError("closed")
    # weed's own shell, without the certificate, cannot delete the dossier.
    anonymous = tmp_path / "anonymous"
    anonymous.mkdir()
    with pytest.raises(subprocess.TimeoutExpired):
        weed_shell(anonymous, ports, f"fs.rm -r /buckets/{store.bucket}/{key}", home=anonymous, timeout=8)

    # After all that, the dossier is whole.
    got = store.get(pdf_key)
    assert got is not None and got[0] == original
    report = archive.audit(store, dossier=key)
    assert report.ok, report.findings


def test_security_file_is_private_and_new_at_every_start(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOHOA_STORAGE__SECRET_KEY", "not-for-weed")
    root = tmp_path / "store"
    seaweedfs.up(root, s3_port=seaweedfs.free_port(), timeout=60)
    try:
        layout = seaweedfs.Layout(root)
        first = layout.security.read_text(encoding="utf-8")
        assert layout.security.stat().st_mode & 0o777 == 0o600
        assert (layout.tls / "weed.key").stat().st_mode & 0o777 == 0o600
        seaweedfs.down(root, timeout=5)
        seaweedfs.up(root, s3_port=seaweedfs.free_port(), timeout=60)
        assert layout.security.read_text(encoding="utf-8") != first
        # weed gets none of this process's secrets.
        pid = int(layout.pid.read_text())
        environ = Path(f"/proc/{pid}/environ").read_bytes()
        assert b"SOHOA_" not in environ and b"AWS_" not in environ
    finally:
        seaweedfs.down(root, timeout=5)


def test_downstream_readers_get_a_read_only_identity(tmp_path: Path) -> None:
    import boto3
    from botocore.exceptions import ClientError

    from tests.seaweed import Seaweed as Server

    root = tmp_path / "store"
    seaweedfs.up(root, s3_port=seaweedfs.free_port(), timeout=60, reader_buckets=("sohoa-archive",))
    try:
        admin = Server(root, seaweedfs.read_credentials(root))
        store = archive.Store(admin.connection("sohoa-archive"))
        store.client.create_bucket(Bucket="sohoa-archive", ObjectLockEnabledForBucket=True)
        store.client.create_bucket(Bucket="sohoa-intake")
        out, rec = make_dossier(tmp_path)
        key = archive.archive_dossier(store, out, rec).key
        store.client.put_object(Bucket="sohoa-intake", Key="scan.jpg", Body=b"clerk's scan")

        creds = seaweedfs.read_credentials(root, reader=True)
        assert creds.access_key != admin.creds.access_key
        assert seaweedfs.Layout(root).reader_credentials.stat().st_mode & 0o777 == 0o600
        reader = boto3.client(
            "s3", endpoint_url=creds.endpoint, region_name=creds.region,
            aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key,
        )
        # What the catalogue example in docs/archive.md does works.
        listed = reader.list_objects_v2(Bucket="sohoa-archive", Prefix="catalog/")["Contents"]
        assert listed and reader.get_object(Bucket="sohoa-archive", Key=listed[0]["Key"])["Body"].read()
        record = reader.get_object(Bucket="sohoa-archive", Key=key + "record.json")
        version = record["VersionId"]
        assert reader.get_object(Bucket="sohoa-archive", Key=key + "record.json", VersionId=version)
        assert reader.list_object_versions(Bucket="sohoa-archive", Prefix=key)["Versions"]

        def refused(call, **kw) -> bool:
            try:
                call(**kw)
            except ClientError as e:
                return e.response["Error"]["Code"] == "AccessDenied"
            return False

        assert refused(reader.put_object, Bucket="sohoa-archive", Key=key + "record.json", Body=b"{}")
        assert refused(reader.put_object, Bucket="sohoa-archive", Key="new.txt", Body=b"x")
        assert refused(reader.delete_object, Bucket="sohoa-archive", Key=key + "record.json")
        assert refused(reader.delete_object, Bucket="sohoa-archive", Key=key + "record.json", VersionId=version)
        assert refused(reader.get_object, Bucket="sohoa-intake", Key="scan.jpg")
        assert archive.audit(store, dossier=key).ok
    finally:
        seaweedfs.down(root, timeout=5)
