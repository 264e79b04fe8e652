"""The local runtime keeps its state between runs (``python -m local`` with its data folder):
an administrator configures a team, the system stops and starts again, and the team is there,
with the same password still signing the administrator in. ``--fresh`` starts empty."""

from __future__ import annotations

import uuid
from pathlib import Path

import requests

from local.processes import start_system
from tests.support import HTTP_TIMEOUT, login


def teams(api: str, headers: dict[str, str]) -> list[dict[str, object]]:
    response = requests.get(f"{api}/teams", headers=headers, timeout=HTTP_TIMEOUT)
    response.raise_for_status()
    items: list[dict[str, object]] = response.json()["items"]
    return items


def test_a_team_configured_before_a_restart_is_there_after_it(tmp_path: Path) -> None:
    # Given a running system where the administrator creates a team
    first = start_system(tmp_path)
    try:
        api, password = first.info["api_url"], first.info["demo"]["password"]
        admin = login(api, "admin@example.com", password)
        team_id = f"night-{uuid.uuid4().hex[:6]}"
        created = requests.post(f"{api}/teams", json={"id": team_id, "name": "Night shift"}, headers=admin,
                                timeout=HTTP_TIMEOUT)
        assert created.status_code == 201
    finally:
        # When it is stopped with Ctrl+C
        assert first.stop() == 0
    assert (tmp_path / "data" / "state.json").is_file()

    # And started again on the same data folder
    second = start_system(tmp_path)
    try:
        api = second.info["api_url"]
        # Then the administrator signs in with the same password and finds the team
        admin = login(api, "admin@example.com", password)
        assert {"id": team_id, "name": "Night shift"}.items() <= next(
            t for t in teams(api, admin) if t["id"] == team_id).items()
    finally:
        assert second.stop() == 0

    # And --fresh starts without it
    third = start_system(tmp_path, "--fresh")
    try:
        api = third.info["api_url"]
        admin = login(api, "admin@example.com", third.info["demo"]["password"])
        assert team_id not in {t["id"] for t in teams(api, admin)}
    finally:
        third.stop()
