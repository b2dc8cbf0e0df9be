"""Signing with the password or PIN from a Prefect Secret block (looked up by ``flows.secrets``),
against a real local Prefect API (a temporary server with its own database); the environment
variable is not set in these tests."""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys

import pytest

from pipeline.core.errors import ExitCode, SigningCredentialsError
from pipeline.sign import devpki, verify_file
from tests.conftest_signing import (  # noqa: E402
    REPO,
    document_signer,
    free_port,
    issue_certificate,
    sign_file,
    signing_settings,
)

pytest_plugins = ("tests.conftest_signing",)

P12_BLOCK = "sohoa-test-p12-password"


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory):
    """A temporary Prefect server on 127.0.0.1; Prefect's home and database in a temporary folder."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")  # the first start migrates
        mp.setenv("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # no telemetry; starts faster
        mp.setenv("PREFECT_HOME", str(tmp_path_factory.mktemp("prefect-home")))
        mp.delenv("PREFECT_API_URL", raising=False)
        mp.delenv("PREFECT_API_KEY", raising=False)
        from prefect.testing.utilities import prefect_test_harness

        with prefect_test_harness(server_startup_timeout=120):
            yield


def save_secret(name: str, value) -> None:
    from prefect.blocks.system import Secret

    Secret(value=value).save(name, overwrite=True)


@pytest.fixture
def no_password_env(monkeypatch) -> None:
    monkeypatch.delenv(devpki.PASSWORD_ENV, raising=False)
    monkeypatch.delenv("SOHOA_SIGNING__PKCS11_PIN", raising=False)


def test_signs_with_the_password_from_a_secret(
    prefect_api, no_password_env, dev_pki, pdfa_file, tmp_path, caplog, capfd
) -> None:
    caplog.set_level(logging.DEBUG)
    password = dev_pki.password()
    save_secret(P12_BLOCK, password)
    out = tmp_path / "signed.pdf"
    facts = sign_file(pdfa_file, out, signing_settings(dev_pki, pkcs12_password_secret=P12_BLOCK))
    assert facts.level == "B-T"
    report = verify_file(out, [dev_pki.root_cert])
    assert report.ok, report.to_text()
    captured = capfd.readouterr()
    assert password not in caplog.text + captured.out + captured.err


def test_a_missing_block_is_an_error_not_a_fallback(prefect_api, dev_pki, monkeypatch, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    password = dev_pki.password()
    monkeypatch.setenv(devpki.PASSWORD_ENV, password)  # set, but a named block wins
    with pytest.raises(SigningCredentialsError) as caught:
        document_signer(signing_settings(dev_pki, pkcs12_password_secret="no-such-sohoa-block"))
    error = caught.value
    assert error.exit_code == ExitCode.signing_credentials == 20
    assert "no Prefect Secret block 'no-such-sohoa-block'" in error.en
    assert "no-such-sohoa-block" in error.vi
    assert password not in error.message + error.message_vi + repr(error) + caplog.text


def test_a_wrong_password_in_the_secret(prefect_api, no_password_env, dev_pki, pdfa_file, tmp_path, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    save_secret("sohoa-test-wrong-password", "not-the-password-q4")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    settings = signing_settings(dev_pki, pkcs12_password_secret="sohoa-test-wrong-password")
    with pytest.raises(SigningCredentialsError) as caught:
        sign_file(pdfa_file, out_dir / "out.pdf", settings)
    error = caught.value
    assert error.exit_code == 20
    assert "wrong password" in error.en and "sai mật khẩu" in error.vi
    assert "Prefect Secret block 'sohoa-test-wrong-password'" in error.en
    assert "not-the-password-q4" not in error.message + error.message_vi + repr(error) + caplog.text
    assert list(out_dir.iterdir()) == []


def test_a_password_that_looks_like_json_stays_text(prefect_api, no_password_env, dev_pki, tmp_path) -> None:
    # Secret.get() would turn "1e3" into 1000.0: the stored text is what opens the key store.
    now = dt.datetime.now(dt.UTC)
    p12 = issue_certificate(
        dev_pki, tmp_path, "json-like", not_before=now - dt.timedelta(days=1), not_after=now + dt.timedelta(days=30),
        key_usage={"digital_signature": True, "content_commitment": True}, password="1e3",
    )
    save_secret("sohoa-test-json-like", "1e3")
    with document_signer(signing_settings(dev_pki, pkcs12_file=p12, pkcs12_password_secret="sohoa-test-json-like")):
        pass


def test_an_unreachable_api(prefect_api, no_password_env, dev_pki) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    url = f"http://127.0.0.1:{free_port()}/api"  # nothing listens there
    with temporary_settings({PREFECT_API_URL: url}):
        with pytest.raises(SigningCredentialsError) as caught:
            document_signer(signing_settings(dev_pki, pkcs12_password_secret=P12_BLOCK))
    assert "Prefect Secret block 'sohoa-test-p12-password'" in caught.value.en
    assert url in caught.value.en and "unreachable" in caught.value.en


def test_token_pin_from_a_secret(prefect_api, no_password_env, softhsm_token, dev_pki, pdfa_file, tmp_path) -> None:
    save_secret("sohoa-test-token-pin", softhsm_token["pin"])
    settings = signing_settings(
        dev_pki, pkcs12_file=None, pkcs11_module=softhsm_token["module"], pkcs11_token_label=softhsm_token["token"],
        pkcs11_key_label=softhsm_token["key"], pkcs11_pin_secret="sohoa-test-token-pin",
    )
    out = tmp_path / "token.pdf"
    with document_signer(settings) as signer:
        signer.sign(pdfa_file, out)
    assert verify_file(out, [dev_pki.root_cert]).ok

    save_secret("sohoa-test-token-pin", "999999")
    with pytest.raises(SigningCredentialsError, match="Prefect Secret block 'sohoa-test-token-pin'") as caught:
        document_signer(settings)
    assert "999999" not in caught.value.message + caught.value.message_vi


def test_prefect_is_not_imported_without_a_secret(dev_pki) -> None:
    code = (
        "import sys; from flows.secrets import agency_signer; from pipeline.core.settings import SigningSettings\n"
        "agency_signer(SigningSettings(pkcs12_file=sys.argv[1]), warn=print).close()\n"
        "assert 'prefect' not in sys.modules, 'prefect was imported'\n"
    )
    env = {**os.environ, devpki.PASSWORD_ENV: dev_pki.password()}
    done = subprocess.run(
        [sys.executable, "-c", code, str(dev_pki.agency_p12)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
