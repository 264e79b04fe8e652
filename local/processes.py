"""Start the local runtime, and optionally its workers, as separate processes, the way the README
does (``python -m local``). Tests and benchmarks use this to drive the system from outside, over
loopback HTTP, with the system's work spread over more than one interpreter."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_SECONDS = 90


def _clean_environment() -> dict[str, str]:
    # The child sets its own AWS and function environment; a caller's must not leak in.
    return {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CONTACT_", "MOTO_"))}


class RunningSystem:
    def __init__(self, process: subprocess.Popen[bytes], info: dict[str, Any], log: Path,
                 ready_file: Path) -> None:
        self.process = process
        self.info = info
        self.log = log
        self.ready_file = ready_file

    def stop(self, timeout: float = 30) -> int:
        return stop_process(self.process, timeout)


def stop_process(process: subprocess.Popen[bytes], timeout: float = 30) -> int:
    """Ctrl+C, then a kill if it does not stop in time; returns the exit code (-9 when killed)."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
            return -9
    return int(process.returncode)


def start_system(work_dir: Path, *extra_args: str, demo: bool = False) -> RunningSystem:
    """``python -m local`` on free ports, keeping its state in ``work_dir/data``, without the demo
    content unless ``demo``; returns once its ready file is written."""
    ready = work_dir / "ready.json"
    ready.unlink(missing_ok=True)
    log = work_dir / "local.log"
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "local", "--port", "0", "--moto-port", "0", "--simulator-port", "0",
             "--push-port", "0", "--push-management-port", "0",
             "--ready-file", str(ready), "--retry-base-seconds", "1", "--data-dir", str(work_dir / "data"),
             *([] if demo else ["--empty"]), *extra_args],
            cwd=ROOT, env=_clean_environment(), stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"local runtime did not start:\n{log.read_text(errors='replace')[-4000:]}")
        time.sleep(0.2)
    time.sleep(0.1)  # the file is written in one call; let it land before reading
    return RunningSystem(process, json.loads(ready.read_text()), log, ready)


def start_workers(system: RunningSystem, log: Path, *extra_args: str) -> subprocess.Popen[bytes]:
    """``python -m local.workers`` for a system started with ``--no-pollers``."""
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "local.workers", "--ready-file", str(system.ready_file), *extra_args],
            cwd=ROOT, env=_clean_environment(), stdout=output, stderr=subprocess.STDOUT)
