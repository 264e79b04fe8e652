"""The deployment package's bytecode, compiled by a Python of the functions' runtime.

Chalice packages sources only, its own modules and the libraries it unpacks from wheels alike
(aws/chalice#868), and Lambda runs the package from a read-only ``/var/task``: without bytecode
in the package, every cold start compiles every module it imports, botocore's among them, and
can keep none of it. So once Chalice has built the package it is compiled here, by an interpreter
of the runtime's version (bytecode is per Python version: another's would be ignored and compiled
again), found on the deploying machine's ``PATH`` as ``pythonX.Y``. Without one, the stack ships
the sources and synthesis warns (docs/deploy.md).

Chalice also copies whatever ``__pycache__`` our source tree holds (bytecode of the Python that
ran the tests, of another version or of the same one, with timestamps of this machine): that is
dropped first, with or without an interpreter, so the package holds no bytecode but the runtime's
and no name twice.

The bytecode files are ``unchecked-hash``: a deployed package never changes, so Python need not
compare each one with its source. Each names its source as ``/var/task/...`` (where Lambda puts
the package; Python names the file it loaded in tracebacks anyway), not the scratch directory it
was compiled in: the same sources give the same package, byte for byte.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import NamedTuple

# Where Lambda extracts a function's package (LAMBDA_TASK_ROOT): the source path compiled in.
TASK_ROOT = "/var/task"


def runtime_interpreter(runtime: str) -> str | None:
    """The path of a Python of the Lambda ``runtime`` (``pythonX.Y``) on PATH, or None: checked by
    asking it the tag of the bytecode it writes, which must be the one the runtime reads
    (``cpython-XY``), whatever the executable is called."""
    path = shutil.which(runtime)
    if path is None:
        return None
    asked = subprocess.run([path, "-c", "import sys; print(sys.implementation.cache_tag)"],  # noqa: S603
                           capture_output=True, text=True, check=False)
    wanted = "cpython-" + runtime.removeprefix("python").replace(".", "")
    return path if asked.returncode == 0 and asked.stdout.strip() == wanted else None


class Compiled(NamedTuple):
    added: int  # bytecode files added to the package
    # What the interpreter said of the modules it could not compile ("" when none): they stay
    # sources, and fail when imported on the runtime as they failed here.
    failures: str


def _is_bytecode(name: str) -> bool:
    return name.endswith(".pyc") or "__pycache__/" in f"/{name}"


def without_bytecode(package: Path) -> int:
    """Remove from the zip ``package`` every bytecode file and ``__pycache__`` entry, keeping every
    other entry as it was; the number removed (the zip is not rewritten when there is none)."""
    with zipfile.ZipFile(package) as source:
        entries = source.infolist()
        kept = [info for info in entries if not _is_bytecode(info.filename)]
        if len(kept) == len(entries):
            return 0
        rewritten = package.with_name(f"{package.name}.rewritten")
        with zipfile.ZipFile(rewritten, "w") as target:
            for info in kept:
                target.writestr(info, source.read(info))
    rewritten.replace(package)
    return len(entries) - len(kept)


def with_runtime_bytecode(package: Path, interpreter: str | None) -> Compiled | None:
    """Make the zip ``package`` hold the bytecode of ``interpreter`` (the runtime's) and no other:
    what Chalice copied from the source tree removed, then, with an interpreter, every module
    compiled by it. The compilation's outcome, or None without an interpreter."""
    without_bytecode(package)
    return None if interpreter is None else compile_package(package, interpreter)


def compile_package(package: Path, interpreter: str) -> Compiled:
    """Add to the zip ``package`` the bytecode of each of its Python modules as ``interpreter``
    compiles them (``__pycache__/<name>.<tag>.pyc`` beside the source), keeping every entry it had
    as it was. The package holds no bytecode yet (``without_bytecode``)."""
    with tempfile.TemporaryDirectory(prefix="bytecode-") as scratch:
        root = Path(scratch)
        with zipfile.ZipFile(package) as source:
            modules = {info.filename: info for info in source.infolist() if info.filename.endswith(".py")}
            source.extractall(root, members=list(modules.values()))
        compiled = subprocess.run(  # noqa: S603
            [interpreter, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
             "-s", str(root), "-p", TASK_ROOT, str(root)],
            capture_output=True, text=True, check=False)
        added = _bytecode_entries(root, modules)
        with zipfile.ZipFile(package, "a", compression=zipfile.ZIP_DEFLATED) as target:
            for info, path in added:
                target.writestr(info, path.read_bytes())
    failures = f"{compiled.stdout}{compiled.stderr}".strip() if compiled.returncode else ""
    return Compiled(len(added), failures)


def _bytecode_entries(root: Path, modules: dict[str, zipfile.ZipInfo]) -> list[tuple[zipfile.ZipInfo, Path]]:
    """Each compiled file under ``root`` as a zip entry with its source's date and permissions
    (so the package's hash changes only when a source does), in a stable order."""
    entries: list[tuple[zipfile.ZipInfo, Path]] = []
    for path in sorted(root.rglob("__pycache__/*.pyc")):
        name = path.relative_to(root).as_posix()
        directory, _, filename = name.rpartition("__pycache__/")
        source = modules[f"{directory}{filename.rsplit('.', 2)[0]}.py"]  # <module>.<tag>.pyc
        info = zipfile.ZipInfo(name, date_time=source.date_time)
        info.external_attr = source.external_attr
        info.compress_type = zipfile.ZIP_DEFLATED
        entries.append((info, path))
    return entries
