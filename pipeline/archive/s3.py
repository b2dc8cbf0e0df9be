"""boto3 with the archive's rules: bounded retries with doubling pauses, one plain error each.

Every failure the operator can act on becomes one ``SohoaError``: the store down or
refusing (after the retries), wrong credentials, a missing bucket. Keys and secrets
never appear in a message or a log line.
"""

from __future__ import annotations

import base64
import builtins
import datetime as dt
import email.utils
import functools
import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pipeline.core.errors import StorageAccessError, StorageBucketError, StorageError

log = logging.getLogger("sohoa.archive")
T = TypeVar("T")

# Worth another try: the store is busy, restarting, or the network dropped.
_RETRY_CODES = {
    "InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout", "RequestTimeTooSkewed",
    "OperationAborted", "Throttling", "ThrottlingException", "503", "500", "502", "504",
}
_ACCESS_CODES = {
    "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken",
    "ExpiredToken", "AuthorizationHeaderMalformed", "403",
}
_MISSING = {"NoSuchKey", "404", "NotFound", "NoSuchVersion"}


@dataclass(frozen=True)
class Connection:
    """Where the archive is and how to reach it. The key pair is never shown in a repr."""

    endpoint: str | None
    bucket: str
    region: str = "us-east-1"
    access_key: str | None = field(default=None, repr=False)
    secret_key: str | None = field(default=None, repr=False)
    addressing_style: str = "path"
    retries: int = 5
    backoff: float = 0.5
    timeout: float = 30

    @property
    def where(self) -> str:
        return f"s3://{self.bucket} at {self.endpoint or 'AWS'}"


def error_code(e: Exception) -> str:
    from botocore.exceptions import ClientError

    if isinstance(e, ClientError):
        return str(e.response.get("Error", {}).get("Code", ""))
    return ""


def is_missing(e: Exception) -> bool:
    return error_code(e) in _MISSING


def is_precondition_failed(e: Exception) -> bool:
    return error_code(e) in {"PreconditionFailed", "412", "ConditionalRequestConflict", "409"}


def hex_to_b64(digest_hex: str) -> str:
    return base64.b64encode(bytes.fromhex(digest_hex)).decode("ascii")


def b64_to_hex(digest_b64: str) -> str:
    return base64.b64decode(digest_b64).hex()


class Store:
    """One bucket, reached with boto3; every call goes through ``call`` (retries, errors)."""

    def __init__(self, conn: Connection, *, sleep: Callable[[float], None] = time.sleep):
        import boto3
        import botocore.session
        from botocore.config import Config

        self.conn = conn
        self.bucket = conn.bucket
        self._sleep = sleep
        core = botocore.session.get_session()
        core.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=parse_timestamp)
        self.client = boto3.session.Session(botocore_session=core).client(
            "s3",
            endpoint_url=conn.endpoint,
            region_name=conn.region,
            aws_access_key_id=conn.access_key,
            aws_secret_access_key=conn.secret_key,
            config=Config(
                # Retries are ours (below): a known count and pause, then one clear error.
                retries={"mode": "standard", "max_attempts": 1},
                connect_timeout=conn.timeout,
                read_timeout=conn.timeout,
                s3={"addressing_style": conn.addressing_style},
                # Checksums are given explicitly (SHA-256) where they matter.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )

    # -- calls ---------------------------------------------------------------------------

    def call(self, what: str, fn: Callable[[], T]) -> T:
        """Run one request; retry what may pass next time; turn the rest into plain errors."""
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        last: Exception | None = None
        for attempt in range(self.conn.retries + 1):
            if attempt:
                pause = self.conn.backoff * 2 ** (attempt - 1)
                log.info("%s: try %d after %.1f s (%s)", what, attempt + 1, pause, _short(last))
                self._sleep(pause)
            try:
                return fn()
            except NoCredentialsError:
                raise StorageAccessError(
                    f"no S3 credentials for {self.conn.where}: set storage.access_key and "
                    "SOHOA_STORAGE__SECRET_KEY, or run 'sohoa storage up' for the embedded store",
                    f"chưa có thông tin đăng nhập S3 cho {self.conn.where}: đặt storage.access_key "
                    "và SOHOA_STORAGE__SECRET_KEY, hoặc chạy 'sohoa storage up'",
                ) from None
            except ClientError as e:
                code = error_code(e)
                status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
                if code == "NoSuchBucket":
                    raise self.missing_bucket() from None
                if code in _ACCESS_CODES or code == "RequestTimeTooSkewed":
                    skew = _clock_skew(e)
                    if skew is not None:
                        raise self.clock_off(what, skew) from None
                    if code in _ACCESS_CODES:
                        raise self.access_denied(what) from None
                if code in _RETRY_CODES or status >= 500:
                    last = e
                    continue
                raise
            except BotoCoreError as e:  # connection refused, reset, timed out
                last = e
                continue
        raise StorageError(
            f"{self.conn.where} did not answer ({what}) after {self.conn.retries + 1} tries: "
            f"{_short(last)}; nothing was committed, the dossier is where it was",
            f"{self.conn.where} không trả lời ({what}) sau {self.conn.retries + 1} lần thử: "
            f"{_short(last)}; chưa ghi gì, hồ sơ vẫn ở chỗ cũ",
        )

    def missing_bucket(self) -> StorageBucketError:
        return StorageBucketError(
            f"the bucket '{self.bucket}' does not exist at {self.conn.endpoint or 'AWS'}: "
            "create it (with versioning; Object Lock if wanted) or run 'sohoa storage up'",
            f"không có bucket '{self.bucket}' tại {self.conn.endpoint or 'AWS'}: hãy tạo nó "
            "(bật versioning; Object Lock nếu cần) hoặc chạy 'sohoa storage up'",
        )

    def clock_off(self, what: str, skew: float) -> StorageAccessError:
        way, cach = ("ahead of", "nhanh hơn") if skew > 0 else ("behind", "chậm hơn")
        minutes = abs(skew) / 60
        return StorageAccessError(
            f"{self.conn.where} refused the request ({what}) because this machine's clock is "
            f"{minutes:,.0f} minutes {way} the store's: S3 signatures allow 15. Set the clock "
            "right (NTP: timedatectl set-ntp true) and run again; nothing was committed",
            f"{self.conn.where} từ chối yêu cầu ({what}) vì đồng hồ máy này {cach} đồng hồ kho "
            f"{minutes:,.0f} phút (chữ ký S3 chỉ cho phép lệch 15 phút). Hãy chỉnh giờ (NTP: "
            "timedatectl set-ntp true) rồi chạy lại; chưa ghi gì",
        )

    def access_denied(self, what: str) -> StorageAccessError:
        return StorageAccessError(
            f"{self.conn.where} refused the credentials ({what}): wrong access key or secret key, "
            "or no permission on this bucket",
            f"{self.conn.where} từ chối thông tin đăng nhập ({what}): sai access key hoặc "
            "secret key, hoặc không có quyền trên bucket này",
        )

    # -- the bucket ----------------------------------------------------------------------

    def check(self) -> None:
        """One request that tells apart: down, wrong credentials, no bucket, all well."""
        from botocore.exceptions import ClientError

        try:
            self.call("HeadBucket", lambda: self.client.head_bucket(Bucket=self.bucket))
        except ClientError as e:
            if is_missing(e):
                raise self.missing_bucket() from None
            raise

    def ensure_bucket(self, *, object_lock: bool, versioning: bool = True) -> builtins.list[str]:
        """Create the bucket if it is missing (Object Lock when asked) and turn versioning on
        (unless ``versioning`` is false: a staging bucket whose objects are deleted)."""
        from botocore.exceptions import ClientError

        notes: list[str] = []
        try:
            self.check()
        except StorageBucketError:
            kwargs: dict[str, Any] = {"Bucket": self.bucket}
            if self.conn.region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.conn.region}
            try:
                self.call(
                    "CreateBucket",
                    lambda: self.client.create_bucket(**kwargs, ObjectLockEnabledForBucket=object_lock),
                )
            except ClientError as e:
                if not object_lock or error_code(e) in {"BucketAlreadyOwnedByYou"}:
                    raise
                notes.append(f"the store refused a bucket with Object Lock ({error_code(e)})")
                self.call("CreateBucket", lambda: self.client.create_bucket(**kwargs))
        if versioning and not self.versioning:
            try:
                self.call(
                    "PutBucketVersioning",
                    lambda: self.client.put_bucket_versioning(
                        Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"}
                    ),
                )
            except ClientError as e:
                notes.append(f"versioning could not be turned on ({error_code(e)})")
            self.__dict__.pop("versioning", None)
        return notes

    @functools.cached_property
    def versioning(self) -> bool:
        from botocore.exceptions import ClientError

        try:
            r = self.call(
                "GetBucketVersioning", lambda: self.client.get_bucket_versioning(Bucket=self.bucket)
            )
        except ClientError:
            return False
        return r.get("Status") == "Enabled"

    @functools.cached_property
    def object_lock(self) -> bool:
        from botocore.exceptions import ClientError

        try:
            r = self.call(
                "GetObjectLockConfiguration",
                lambda: self.client.get_object_lock_configuration(Bucket=self.bucket),
            )
        except ClientError:  # ObjectLockConfigurationNotFoundError, NotImplemented…
            return False
        return r.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled") == "Enabled"

    # -- objects -------------------------------------------------------------------------

    def _object(self, key: str, version_id: str | None) -> dict[str, Any]:
        """The request arguments naming one object (one version of it, when given)."""
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if version_id:
            kwargs["VersionId"] = version_id
        return kwargs

    def head(self, key: str, version_id: str | None = None) -> dict | None:
        from botocore.exceptions import ClientError

        kwargs = {**self._object(key, version_id), "ChecksumMode": "ENABLED"}
        try:
            return self.call(f"HeadObject {key}", lambda: self.client.head_object(**kwargs))
        except ClientError as e:
            if is_missing(e) or error_code(e) == "405":  # 405: a delete marker
                return None
            raise

    def get(self, key: str, version_id: str | None = None) -> tuple[bytes, dict] | None:
        from botocore.exceptions import ClientError

        kwargs = self._object(key, version_id)

        def fetch() -> tuple[bytes, dict]:
            r = self.client.get_object(**kwargs)
            return r["Body"].read(), r

        try:
            return self.call(f"GetObject {key}", fetch)
        except ClientError as e:
            if is_missing(e):
                return None
            raise

    def sha256(self, key: str, version_id: str | None = None) -> tuple[str, int] | None:
        """Hash an object's bytes as stored (streamed): the read-back and the audit."""
        from botocore.exceptions import ClientError

        kwargs = self._object(key, version_id)

        def fetch() -> tuple[str, int]:
            digest, size = hashlib.sha256(), 0
            body = self.client.get_object(**kwargs)["Body"]
            for chunk in iter(lambda: body.read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
            return digest.hexdigest(), size

        try:
            return self.call(f"GetObject {key}", fetch)
        except ClientError as e:
            if is_missing(e):
                return None
            raise

    def download(self, key: str, path: Path, version_id: str | None = None) -> dict[str, str]:
        """Stream an object into ``path``; returns its user metadata (``sha256`` among it)."""
        kwargs = self._object(key, version_id)

        def fetch() -> dict[str, str]:
            response = self.client.get_object(**kwargs)
            body = response["Body"]
            with path.open("wb") as f:
                for chunk in iter(lambda: body.read(1 << 20), b""):
                    f.write(chunk)
            return response.get("Metadata") or {}

        return self.call(f"GetObject {key}", fetch)

    def put(
        self,
        key: str,
        body: bytes | Path,
        sha256_hex: str,
        *,
        content_type: str = "application/octet-stream",
        metadata: dict[str, str] | None = None,
        tags: str | None = None,
        lock: dict[str, Any] | None = None,
        condition: dict[str, str] | None = None,
    ) -> dict:
        """PUT with the SHA-256 the store must check on receipt (it refuses a mismatch)."""
        kwargs: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": key,
            "ChecksumSHA256": hex_to_b64(sha256_hex),
            "ContentType": content_type,
            "Metadata": {"sha256": sha256_hex, **(metadata or {})},
            **(lock or {}),
            **(condition or {}),
        }
        if tags:
            kwargs["Tagging"] = tags

        def send() -> dict:
            if isinstance(body, Path):
                with body.open("rb") as f:  # reopened on each try: a fresh stream
                    return self.client.put_object(Body=f, **kwargs)
            return self.client.put_object(Body=body, **kwargs)

        return self.call(f"PutObject {key}", send)

    def delete(self, key: str) -> None:
        """Delete an object (on a versioned bucket: a delete marker; the versions stay)."""
        self.call(f"DeleteObject {key}", lambda: self.client.delete_object(Bucket=self.bucket, Key=key))

    def list(self, prefix: str) -> Iterator[dict]:
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix}
            if token:
                kwargs["ContinuationToken"] = token
            page = self.call(
                f"ListObjectsV2 {prefix}", functools.partial(self.client.list_objects_v2, **kwargs)
            )
            yield from page.get("Contents", [])
            if not page.get("IsTruncated"):
                return
            token = page.get("NextContinuationToken")

    def prefixes(self, prefix: str) -> builtins.list[str]:
        """The 'folders' right under ``prefix``."""
        out: builtins.list[str] = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix, "Delimiter": "/"}
            if token:
                kwargs["ContinuationToken"] = token
            page = self.call(
                f"ListObjectsV2 {prefix}", functools.partial(self.client.list_objects_v2, **kwargs)
            )
            out += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
            if not page.get("IsTruncated"):
                return out
            token = page.get("NextContinuationToken")

    def versions(self, key: str) -> builtins.list[dict]:
        """Every stored version of exactly ``key``, newest first (delete markers left out)."""
        from botocore.exceptions import ClientError

        try:
            page = self.call(
                f"ListObjectVersions {key}",
                lambda: self.client.list_object_versions(Bucket=self.bucket, Prefix=key),
            )
        except ClientError:
            return []
        found = [v for v in page.get("Versions", []) if v["Key"] == key]
        return sorted(found, key=lambda v: v["LastModified"], reverse=True)


# S3 refuses a signature more than 15 minutes off its own clock; past 5, that is the likely cause.
_SKEW_SECONDS = 300


def _clock_skew(e: Exception) -> float | None:
    """How far this machine's clock is ahead of the store's (seconds, from the refusal's Date
    header), when that is far enough to be why it refused; else None."""
    headers = getattr(e, "response", {}).get("ResponseMetadata", {}).get("HTTPHeaders", {})
    try:
        theirs = email.utils.parsedate_to_datetime(headers["date"])
    except (KeyError, TypeError, ValueError):
        return None
    skew = (dt.datetime.now(dt.UTC) - theirs).total_seconds()
    return skew if abs(skew) > _SKEW_SECONDS else None


def parse_timestamp(value: str | int | float) -> dt.datetime:
    """A response's dates (Last-Modified, ISO 8601 in listings) without dateutil, which is
    a tenth of the CPU a small GET costs; anything unusual goes to botocore's own parser."""
    try:
        if isinstance(value, str):
            if value[:4].isdigit():
                return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        pass
    from botocore.utils import parse_timestamp as botocore_parse

    return botocore_parse(value)


def stored_sha256(head: dict) -> str | None:
    """The SHA-256 of an object from its HEAD: our metadata, else the store's checksum."""
    meta = head.get("Metadata") or {}
    if meta.get("sha256"):
        return meta["sha256"]
    if head.get("ChecksumSHA256") and "-" not in head["ChecksumSHA256"]:
        return b64_to_hex(head["ChecksumSHA256"])
    return None


def _short(e: Exception | None) -> str:
    if e is None:
        return "no answer"
    text = str(e).splitlines()[0] if str(e) else type(e).__name__
    return text[:200]
