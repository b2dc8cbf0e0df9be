"""Where the signing password or PIN comes from, and the agency's signer opened with it.

The signing stage reads no environment variable and asks no secret store; this
edge does, for the CLI and the flows alike. The password or PIN is read from the
environment variable named in the settings, or from the Prefect Secret block
when one is named there (the block wins; Prefect is imported only then). The
value goes to the signer and nowhere else: no log, no message.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pipeline.core.errors import (
    MissingDependencyError,
    SigningCredentialsError,
    SohoaError,
)
from pipeline.core.settings import SigningSettings
from pipeline.sign import Secret

if TYPE_CHECKING:
    from pipeline.sign import DocumentSigner


def agency_signer(settings: SigningSettings, *, warn: Callable[[str], None]) -> DocumentSigner | None:
    """The signer a run uses for every file, or None when no key is configured. Close it after.

    Opening it reads the key store (and logs in to a token), so a wrong password
    or an absent token stops the run before any page is read. ``warn`` hears of a
    development key (``sohoa dev-pki``): its signatures prove nothing.
    """
    if not settings.configured:
        return None  # nothing to sign with: skip importing pyHanko (most of a second)
    from pipeline import sign

    signer = sign.open_signer(settings, signing_secret(settings))
    if signer is not None and signer.is_development:
        warn(f"Cảnh báo / Warning: {sign.devpki.WARNING}")
    return signer


def signing_secret(settings: SigningSettings) -> Secret:
    """The token's PIN when a token is configured, else the PKCS#12 password.

    One that cannot be found comes back as the error saying so, which the
    signer raises when it needs the value: a mistake in the settings that it
    finds first is still the one reported.
    """
    if settings.pkcs11_module is not None:
        return _secret(settings.pkcs11_pin_env, settings.pkcs11_pin_secret, "token PIN", "mã PIN của token")
    return _secret(
        settings.pkcs12_password_env, settings.pkcs12_password_secret, "PKCS#12 password", "mật khẩu PKCS#12"
    )


def _secret(variable: str, block: str | None, what_en: str, what_vi: str) -> Secret:
    """From the Prefect Secret block when one is named, else from the variable."""
    where_en, where_vi = _secret_source(variable, block)
    try:
        value = _prefect_secret(block, what_en, what_vi) if block else _environment(variable, what_en, what_vi)
    except SohoaError as e:
        return Secret.missing(e, where_en, where_vi)
    return Secret(value, where_en, where_vi)


def _environment(variable: str, what_en: str, what_vi: str) -> str:
    value = os.environ.get(variable)
    if value is None:
        raise SigningCredentialsError(
            f"the {what_en} is not set: put it in the environment variable {variable}",
            f"chưa có {what_vi}: đặt trong biến môi trường {variable}",
        )
    return value


def _secret_source(variable: str, block: str | None) -> tuple[str, str]:
    """Where the password or PIN came from, for messages: (English, Vietnamese)."""
    if block:
        return f"the Prefect Secret block '{block}'", f"khối Prefect Secret '{block}'"
    return variable, variable


def _prefect_secret(block: str, what_en: str, what_vi: str) -> str:
    try:
        from prefect.blocks.system import Secret as SecretBlock
    except ImportError:
        raise MissingDependencyError(
            f"the {what_en} is set to come from the Prefect Secret block '{block}', "
            "but Prefect is not installed (pip install 'prefect>=3.4,<4')",
            f"{what_vi} được đặt lấy từ khối Prefect Secret '{block}' nhưng chưa cài Prefect "
            "(pip install 'prefect>=3.4,<4')",
        ) from None
    try:
        # _sync: a plain call even when the signer is made inside a running event loop.
        loaded: Any = SecretBlock.load(block, _sync=True)  # type: ignore[call-arg]  # Prefect's sync switch
    except ValueError as e:
        if "Unable to find block document" not in str(e):
            raise _prefect_unreachable(block, what_en, what_vi, e) from None
        raise SigningCredentialsError(
            f"the {what_en} is not set: there is no Prefect Secret block '{block}'",
            f"chưa có {what_vi}: không có khối Prefect Secret '{block}'",
        ) from None
    except Exception as e:  # noqa: BLE001 - the API is down, refuses, or answers nonsense
        raise _prefect_unreachable(block, what_en, what_vi, e) from None
    # The stored value as saved: Secret.get() would parse text that looks like JSON, so a
    # password such as "1e3" or "true" would come back as 1000.0 or True.
    value = loaded.value.get_secret_value()
    del loaded
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # a PIN saved as a number
    if not isinstance(value, str):
        raise SigningCredentialsError(
            f"the Prefect Secret block '{block}' does not hold the {what_en} as text",
            f"khối Prefect Secret '{block}' không chứa {what_vi} dạng văn bản",
        )
    return value


def _prefect_unreachable(block: str, what_en: str, what_vi: str, e: Exception) -> SigningCredentialsError:
    # Only the exception's type: its text could quote the block's contents (a validation error).
    try:
        from prefect.settings import PREFECT_API_URL

        url = PREFECT_API_URL.value()
    except Exception:  # noqa: BLE001 - the settings themselves are broken
        url = None
    return SigningCredentialsError(
        f"cannot read the {what_en} from the Prefect Secret block '{block}': "
        f"the Prefect API{f' at {url}' if url else ''} is unreachable or failed ({type(e).__name__})",
        f"không đọc được {what_vi} từ khối Prefect Secret '{block}': "
        f"không kết nối được Prefect API{f' tại {url}' if url else ''} hoặc API lỗi ({type(e).__name__})",
    )
