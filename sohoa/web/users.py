"""Reviewers: a YAML file of user names and scrypt password hashes, and the cookie's key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

import yaml

from pipeline.core.errors import ReviewError

_N, _R, _P = 2**14, 8, 1  # scrypt's cost: about 50 ms and 16 MB per login
_NAME = re.compile(r"^[\w.@-]{1,64}$")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(base64.b64decode(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


def load(path: Path) -> dict[str, str]:
    """user name → password hash; no file: no reviewers (nobody can log in)."""
    path = path.expanduser()
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    users = data.get("reviewers") or {}
    if not isinstance(users, dict):
        raise ReviewError(f"{path}: 'reviewers' must map user names to password hashes",
                          f"{path}: 'reviewers' phải là danh sách tên người dùng và mật khẩu đã băm")
    return {str(k): str(v) for k, v in users.items()}


def add(path: Path, name: str, password: str) -> None:
    """Add or replace a reviewer; the file is kept at mode 0600."""
    if not _NAME.match(name):
        raise ReviewError(f"not a valid user name: {name!r} (letters, digits, . _ - @)",
                          f"tên người dùng không hợp lệ: {name!r} (chữ, số, . _ - @)")
    if len(password) < 8:
        raise ReviewError("the password must have at least 8 characters", "mật khẩu phải có ít nhất 8 ký tự")
    path = path.expanduser()
    users = load(path)
    users[name] = hash_password(password)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("# sohoa review: reviewers and their scrypt password hashes (sohoa review --add-user)\n")
        yaml.safe_dump({"reviewers": users}, f, allow_unicode=True, sort_keys=True)
    os.replace(tmp, path)


def cookie_key(path: Path) -> str:
    """The key signing the login cookie: made once, mode 0600, so logins survive a restart."""
    path = path.expanduser()
    if path.is_file():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    return key
