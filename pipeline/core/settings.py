"""Settings: built-in defaults, then a YAML file, then ``SOHOA_*`` environment variables.

``configs/sohoa.yaml`` in the repository lists every default (a test keeps it
equal to these models). Nested settings take ``__`` in the environment:
``SOHOA_OCR__LANGUAGE=vie``, ``SOHOA_OCR__TESSDATA_DIR=/opt/tessdata``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)


class OcrSettings(BaseModel):
    language: str = Field("vie", description="Tesseract language(s), e.g. 'vie' or 'vie+eng'")
    tessdata_dir: Path | None = Field(
        None, description="folder with .traineddata models; empty: Tesseract's own"
    )
    psm: int = Field(3, description="Tesseract page segmentation mode")
    timeout_seconds: float = Field(600, description="a page taking longer is an error")
    jobs: int | None = Field(None, description="parallel OCR processes; empty: the CPU count")


class InputSettings(BaseModel):
    max_pixels: int = Field(
        250_000_000, description="pixels per page above which a file is refused (bomb guard)"
    )
    max_pages: int = Field(
        1000, gt=0, description="pages per dossier above which it is refused (split it)"
    )


class MarkSettings(BaseModel):
    """The visible signature mark (TT 05/2025): top right of the first page, no seal image."""

    visible: bool = Field(True, description="false: an invisible signature")
    text: str = Field(
        "{agency}\n{time}", description="lines of the mark; {agency}, {time} and {signer} are filled in"
    )
    font: Path = Field(
        Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"),
        description="TrueType/OpenType serif font covering Vietnamese, embedded in the PDF",
    )
    font_size: int = Field(10, gt=0, description="points")
    margin: int = Field(28, ge=0, description="points from the top and right page edges")


class SigningSettings(BaseModel):
    """Signing every PDF/A as the converting agency (PAdES). Nothing is set: no signing."""

    pkcs12_file: Path | None = Field(None, description="PKCS#12 (.p12/.pfx) with the agency key")
    pkcs12_password_env: str = Field(
        "SOHOA_SIGNING__PKCS12_PASSWORD", description="environment variable holding its password"
    )
    pkcs12_password_secret: str | None = Field(
        None, description="Prefect Secret block holding its password; empty: the environment variable"
    )
    pkcs11_module: Path | None = Field(
        None, description="PKCS#11 module of a USB token, e.g. /usr/lib/softhsm/libsofthsm2.so"
    )
    pkcs11_token_label: str | None = Field(None, description="label of the token")
    pkcs11_key_label: str | None = Field(None, description="label of the signing key on the token")
    pkcs11_cert_label: str | None = Field(None, description="label of its certificate; empty: the key's")
    pkcs11_pin_env: str = Field(
        "SOHOA_SIGNING__PKCS11_PIN", description="environment variable holding the token PIN"
    )
    pkcs11_pin_secret: str | None = Field(
        None, description="Prefect Secret block holding the token PIN; empty: the environment variable"
    )
    level: Literal["B-B", "B-T", "B-LT"] | None = Field(
        None, description="PAdES level; empty: B-T when a TSA is set, else B-B"
    )
    tsa_url: str | None = Field(None, description="RFC 3161 timestamp server")
    tsa_timeout_seconds: float = Field(10, gt=0, description="per attempt")
    tsa_attempts: int = Field(3, ge=1, description="tries before giving up, with doubling pauses")
    trust_roots: list[Path] = Field(
        default_factory=list, description="CA certificates (PEM/DER) trusted by verify and B-LT"
    )
    extra_certs: list[Path] = Field(
        default_factory=list, description="intermediate CA certificates the key store lacks"
    )
    agency: str | None = Field(None, description="name on the mark; empty: the certificate's O")
    reason: str = Field(
        "Chuyển đổi từ văn bản giấy sang văn bản điện tử", description="/Reason of the signature"
    )
    mark: MarkSettings = MarkSettings()

    @property
    def configured(self) -> bool:
        """A key is set: ``sohoa process`` signs."""
        return self.pkcs12_file is not None or self.pkcs11_module is not None


class StorageSettings(BaseModel):
    """The archive bucket (any S3). No endpoint: the embedded SeaweedFS of ``sohoa storage up``."""

    endpoint: str | None = Field(
        None, description="S3 endpoint URL; empty: the embedded SeaweedFS on 127.0.0.1"
    )
    region: str = Field("us-east-1", description="S3 region")
    bucket: str = Field("sohoa-archive", description="the bucket dossiers are archived to")
    access_key: SecretStr | None = Field(
        None, description="empty: the embedded store's key, else boto3's own (AWS_ACCESS_KEY_ID…)"
    )
    secret_key: SecretStr | None = Field(None, description="set it in the environment, not in a file")
    addressing_style: Literal["path", "virtual", "auto"] = Field(
        "path", description="S3 URL style: path works with SeaweedFS, MinIO and most others"
    )
    data_dir: Path = Field(
        Path("~/.local/share/sohoa/seaweedfs"),
        description="embedded SeaweedFS: its data, credentials (0600), pid and log",
    )
    port: int = Field(8333, description="embedded SeaweedFS: the S3 port on 127.0.0.1")
    object_lock: bool = Field(
        True, description="embedded SeaweedFS: create the bucket with Object Lock and versioning"
    )
    permanent_retention_years: int = Field(
        100, ge=1, description="COMPLIANCE retention for maintenance 01 (vĩnh viễn)"
    )
    legal_hold: bool = Field(False, description="put a legal hold on every archived object")
    retries: int = Field(5, ge=0, description="tries after a failed request, with doubling pauses")
    backoff_seconds: float = Field(0.5, gt=0, description="the first pause between tries")
    timeout_seconds: float = Field(30, gt=0, description="connect and read timeout per request")


class IntakeSettings(BaseModel):
    """Watch folders: clerks drop dossiers in, sohoa moves them to processing/, done/, failed/."""

    folders: dict[str, Path] = Field(
        default_factory=dict,
        description="commune code → its watch folder; in the environment as JSON: "
        'SOHOA_INTAKE__FOLDERS=\'{"24958": "/srv/sohoa/bat-trang"}\'',
    )
    stable_seconds: float = Field(
        10, gt=0, description="a dossier is taken once nothing in it changed for this long"
    )
    rescan_seconds: float = Field(
        30, gt=0, description="a full rescan of every watch folder (catches missed events)"
    )
    polling: Literal["auto", "always", "never"] = Field(
        "auto", description="auto: file events on local disks, polling on network shares"
    )
    bucket: str = Field(
        "sohoa-intake", description="staging bucket (same S3 store) from which workers read dossiers"
    )
    lease_seconds: float = Field(
        120, gt=0, description="a run silent for this long is taken as crashed and started again"
    )
    retry_hours: float = Field(
        168, gt=0, description="a run failed for a system error may be retried from the Prefect UI "
        "this long after (its staged copy is kept until then)",
    )
    state_dir: Path = Field(
        Path("~/.local/state/sohoa/intake"),
        description="the watcher's own record of each claim, outside the clerks' share; watchers "
        "sharing one watch folder share this folder too",
    )


class FlowSettings(BaseModel):
    """Prefect: deployments, schedules, retries and the OCR concurrency limits."""

    work_pool: str = Field("sohoa", description="the Prefect work pool every flow is deployed to")
    workers: int = Field(
        1, ge=0, description="workers `sohoa serve` starts on this machine; 0: only `sohoa worker`s elsewhere"
    )
    worker_runs: int | None = Field(
        None, ge=1, description="flow runs one worker holds at once; empty: twice its OCR processes"
    )
    ocr_slots: int | None = Field(
        None, ge=1, description="pages OCR'd at once across all communes; empty: the CPU count"
    )
    ocr_slots_per_commune: int | None = Field(
        None, ge=1, description="pages OCR'd at once for one commune; empty: half the slots"
    )
    run_timeout_seconds: float = Field(
        6 * 3600, gt=0, description="a dossier's flow run taking longer is stopped and failed"
    )
    step_timeout_seconds: float = Field(
        3600, gt=0, description="each step of a run (fetch, read, documents, archive) likewise"
    )
    retries: int = Field(3, ge=0, description="tries again after a transient failure (S3, TSA)")
    retry_delay_seconds: float = Field(10, ge=0, description="the first pause; doubling after")
    audit_schedule: str | None = Field("0 2 * * *", description="cron of the fixity audit; empty: none")
    report_schedule: str | None = Field("0 18 * * *", description="cron of the daily report; empty: none")
    timezone: str = Field("Asia/Ho_Chi_Minh", description="for the schedules and the report's day")


class SearchSettings(BaseModel):
    """The full-text index over the archive (sohoa search, the review app's search page)."""

    index: Path = Field(
        Path("~/.local/share/sohoa/search.sqlite"), description="the embedded index (SQLite FTS5)"
    )
    database_url: SecretStr | None = Field(
        None, description="postgresql://…: PostgreSQL full-text search instead (province scale); "
        "set it in the environment when it holds a password",
    )
    sync_seconds: float = Field(60, gt=0, description="sohoa review: how often the index catches up with the archive")


class ReviewSettings(BaseModel):
    """``sohoa review``: the review queue and search pages."""

    host: str = Field("127.0.0.1", description="the address it listens on")
    port: int = Field(8090, description="its port")
    users_file: Path = Field(
        Path("~/.config/sohoa/reviewers.yaml"),
        description="reviewers and their hashed passwords (sohoa review --add-user NAME)",
    )
    secret_file: Path = Field(
        Path("~/.local/share/sohoa/review-secret"),
        description="the key signing the login cookie (made on first start, mode 0600)",
    )
    secure_cookie: bool = Field(False, description="send the login cookie over HTTPS only (behind a TLS proxy)")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOHOA_", env_nested_delimiter="__")

    commune: str | None = Field(
        None, description="the commune this dossier or watch folder belongs to: 5-digit 2025 code"
    )
    ocr: OcrSettings = OcrSettings()
    input: InputSettings = InputSettings()
    signing: SigningSettings = SigningSettings()
    storage: StorageSettings = StorageSettings()
    intake: IntakeSettings = IntakeSettings()
    flows: FlowSettings = FlowSettings()
    search: SearchSettings = SearchSettings()
    review: ReviewSettings = ReviewSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Highest priority first: explicit values, environment, then the YAML file.
        return (init_settings, env_settings, YamlConfigSettingsSource(settings_cls))


def load(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings from an optional YAML file (or $SOHOA_CONFIG); explicit overrides win."""
    path = config_file or (Path(os.environ["SOHOA_CONFIG"]) if os.environ.get("SOHOA_CONFIG") else None)
    if path is None:
        return Settings(**overrides)
    if not path.is_file():
        raise FileNotFoundError(path)

    class FromFile(Settings):
        model_config = SettingsConfigDict(**{**Settings.model_config, "yaml_file": path})

    return FromFile(**overrides)
