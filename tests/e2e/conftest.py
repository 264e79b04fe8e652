"""Starts the local runtime the way the README does (``python -m local``), in a subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 90


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


class RunningSystem:
    def __init__(self, process: subprocess.Popen[bytes], info: dict[str, Any], log: Path) -> None:
        self.process = process
        self.info = info
        self.log = log

    def stop(self, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                return self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
                return -9
        return int(self.process.returncode)


def start_system(tmp: Path, *extra_args: str) -> RunningSystem:
    ready = tmp / "ready.json"
    log = tmp / "local.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CONTACT_", "MOTO_"))}
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "local", "--port", "0", "--moto-port", "0", "--simulator-port", "0",
             "--ready-file", str(ready), "--retry-base-seconds", "1", *extra_args],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"local runtime did not start:\n{log.read_text(errors='replace')[-4000:]}")
        time.sleep(0.2)
    time.sleep(0.1)
    return RunningSystem(process, json.loads(ready.read_text()), log)


@pytest.fixture(scope="session")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    running = start_system(tmp_path_factory.mktemp("system"))
    yield running
    running.stop()
