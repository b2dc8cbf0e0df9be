"""The real Prefect API servers of ``tests/prefect_server.py``: a flow run made through the
client lands on the server, and on PostgreSQL it is in PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest

from tests import prefect_server
from tests.prefect_server import database_url_of


def run_a_flow(api_url: str) -> uuid.UUID:
    """Runs a tiny flow against ``api_url``, checks the server has it Completed, returns its id."""
    from prefect import flow, get_client
    from prefect.client.schemas.objects import StateType
    from prefect.settings import PREFECT_API_URL, temporary_settings

    @flow(name="sohoa-server-check")
    def add(a: int, b: int) -> int:
        return a + b

    with temporary_settings({PREFECT_API_URL: api_url}):
        state = add(2, 3, return_state=True)
        assert state.result() == 5
        run_id = state.state_details.flow_run_id
        with get_client(sync_client=True) as client:
            assert str(client.api_url).rstrip("/") == api_url
            run = client.read_flow_run(run_id)
    assert run.name and run.state is not None
    assert run.state.type == StateType.COMPLETED, run.state
    assert run.parameters == {"a": 2, "b": 3}
    return run_id


def test_a_flow_run_on_the_sqlite_server(prefect_sqlite_api: str) -> None:
    assert database_url_of(prefect_sqlite_api) is None
    run_a_flow(prefect_sqlite_api)


def test_a_flow_run_on_the_postgres_server_is_in_postgres(prefect_postgres_api: str) -> None:
    import asyncpg

    database_url = database_url_of(prefect_postgres_api)
    assert database_url and database_url.startswith("postgresql+asyncpg://")
    run_id = run_a_flow(prefect_postgres_api)

    async def row() -> asyncpg.Record | None:
        connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            return await connection.fetchrow(
                "SELECT state_type::text AS state_type, parameters FROM flow_run WHERE id = $1", run_id
            )
        finally:
            await connection.close()

    found = asyncio.run(row())
    assert found is not None, f"flow run {run_id} is not in PostgreSQL"
    assert found["state_type"] == "COMPLETED"


def test_no_postgres_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # CI must fail, not skip, when the server package is missing.
    from sohoa import postgres

    monkeypatch.setattr(postgres, "DEBIAN_POSTGRES", tmp_path / "nothing")
    with pytest.raises(RuntimeError, match="install the Debian package `postgresql`"):
        with prefect_server.postgres_cluster(tmp_path):
            pass


def test_api_authentication_as_the_compose_stack_sets_it(tmp_path: Path) -> None:
    """The server with PREFECT_SERVER_API_AUTH_STRING (docker/compose.yaml always sets it):
    nothing answers without the string; a client with PREFECT_API_AUTH_STRING runs flows."""
    import base64
    import json
    import urllib.error
    import urllib.request

    auth = "sohoa:" + uuid.uuid4().hex
    with prefect_server.prefect_server(tmp_path, settings={"PREFECT_SERVER_API_AUTH_STRING": auth}) as api_url:

        def status(path: str, body: dict | None, header: str | None) -> int:
            request = urllib.request.Request(
                api_url + path, data=None if body is None else json.dumps(body).encode(),
                headers={"Content-Type": "application/json", **({"Authorization": header} if header else {})},
                method="GET" if body is None else "POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return response.status
            except urllib.error.HTTPError as e:
                return e.code

        basic = "Basic " + base64.b64encode(auth.encode()).decode()
        wrong = "Basic " + base64.b64encode(b"sohoa:guess").decode()
        # Flow runs (what would run commands on the workers) and Secret blocks.
        for path in ("/flow_runs/filter", "/block_documents/filter", "/deployments/filter"):
            assert status(path, {}, None) == 401, path
            assert status(path, {}, wrong) == 401, path
            assert status(path, {}, basic) == 200, path

        from prefect import flow
        from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

        @flow(name="sohoa-auth-check")
        def add(a: int, b: int) -> int:
            return a + b

        with temporary_settings({PREFECT_API_URL: api_url, PREFECT_API_AUTH_STRING: auth}):
            assert add(2, 3) == 5


def test_sohoas_own_cluster_keeps_its_data_and_wants_its_password(tmp_path: Path) -> None:
    """``sohoa server --database postgres``'s cluster: made once, found again at the next start
    (the database kept), and no login on 127.0.0.1 without the password it keeps 0600."""
    import os
    import tempfile

    import asyncpg

    from sohoa import postgres

    if os.geteuid() == 0:  # the cluster runs as `postgres`, who must reach its folder
        top = Path(tempfile.mkdtemp(prefix="sohoa-pg-"))
        top.chmod(0o755)
        root = top / "cluster"
    else:
        root = tmp_path / "cluster"
    port = prefect_server.free_port()

    async def connect(url: str) -> int:
        connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await connection.execute("CREATE TABLE IF NOT EXISTS kept (n int)")
            await connection.execute("INSERT INTO kept VALUES (1)")
            return await connection.fetchval("SELECT count(*) FROM kept")
        finally:
            await connection.close()

    try:
        with postgres.running(root, port) as url:
            assert asyncio.run(connect(url)) == 1
        assert (root / "password").stat().st_mode & 0o077 == 0
        with postgres.running(root, port) as again:
            assert again == url
            assert asyncio.run(connect(url)) == 2  # the same database, its rows kept
            without = url.replace(":" + url.split(":")[2].split("@")[0] + "@", "@")
            with pytest.raises(asyncpg.InvalidPasswordError):
                asyncio.run(connect(without))
    finally:
        import shutil

        shutil.rmtree(root.parent if os.geteuid() == 0 else root, ignore_errors=True)
