"""``python -m local`` says plainly what stops it from starting: a port in use names its option
and how to choose another, instead of a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from local.processes import ROOT, _clean_environment, start_system, stop_process


def test_a_port_in_use_is_named_with_the_option_that_moves_it() -> None:
    # Given another program listening on the port asked for the web app
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        # When the local runtime is started on it
        finished = subprocess.run(
            [sys.executable, "-m", "local", "--port", str(port), "--moto-port", "0", "--simulator-port", "0",
             "--no-data"], cwd=ROOT, env=_clean_environment(), capture_output=True, text=True, timeout=120)
    # Then it stops at once, naming the port and the option, with no traceback
    assert finished.returncode == 2
    assert f"Port {port} (--port) is in use" in finished.stderr
    assert "python -m local --port <port>" in finished.stderr
    assert "Traceback" not in finished.stderr


def test_a_data_folder_in_use_is_named_with_its_holder(tmp_path: Path) -> None:
    # Given a local runtime keeping its state in a folder
    running = start_system(tmp_path)
    try:
        # When a second one is started on the same folder
        finished = subprocess.run(
            [sys.executable, "-m", "local", "--port", "0", "--moto-port", "0", "--simulator-port", "0",
             "--push-port", "0", "--push-management-port", "0", "--data-dir", str(tmp_path / "data")],
            cwd=ROOT, env=_clean_environment(), capture_output=True, text=True, timeout=120)
    finally:
        stop_process(running.process)
    # Then it stops at once, naming the folder, the holder and the way out, and the first one's state is untouched
    assert finished.returncode == 1, finished.stderr
    assert f"{tmp_path / 'data'} is in use by another local runtime (pid {running.process.pid})" in finished.stderr
    assert "--data-dir" in finished.stderr
    assert "Traceback" not in finished.stderr
