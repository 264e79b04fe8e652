"""The deployment package ships bytecode compiled by a Python of the functions' runtime
(infra/constructs/bytecode.py), or warns at synthesis that it ships sources."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Annotations, Match
from chalice import api as chalice_api

from infra import constants
from infra.constructs.api import ChaliceApi, _compiled_by
from infra.constructs.bytecode import TASK_ROOT, compile_package, runtime_interpreter, without_bytecode
from tests.infra.conftest import Expanded, Synthesized

pytestmark = pytest.mark.infra

THIS_RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
MODULE = """
def fail():
    raise ValueError("from the package")
"""


def _on_path(monkeypatch: pytest.MonkeyPatch, directory: Path, *names: str) -> None:
    directory.mkdir()
    for name in names:
        (directory / name).symlink_to(sys.executable)
    monkeypatch.setenv("PATH", f"{directory}{os.pathsep}{os.environ['PATH']}")


SOURCES = [("app.py", "import lib.mod\n"), ("lib/__init__.py", ""), ("lib/mod.py", MODULE),
           ("lib/data.json", "{}"), ("lib/broken.py", "def (:\n")]
TAG = sys.implementation.cache_tag
# Bytecode Chalice copies from a source tree that tests ran in: another Python's, and this one's.
STALE = [("lib/__pycache__/", ""), ("lib/__pycache__/mod.cpython-39.pyc", "old"),
         (f"lib/__pycache__/mod.{TAG}.pyc", "stale")]


def _package(path: Path, entries: list[tuple[str, str]] = SOURCES) -> Path:
    """A small package as Chalice zips one: fixed dates, a module, a package, a data file, and a
    module no Python compiles."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for name, text in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o100644 << 16
            package.writestr(info, text)
    return path


def test_the_runtime_interpreter_is_a_python_of_that_version_on_path(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Given this Python on PATH under its own version's name, and under another version's
    _on_path(monkeypatch, tmp_path / "bin", THIS_RUNTIME, "python3.98")

    # Then it is the interpreter of its own runtime only: one that answers to another version's
    # name would compile bytecode that runtime ignores
    assert runtime_interpreter(THIS_RUNTIME) == str(tmp_path / "bin" / THIS_RUNTIME)
    assert runtime_interpreter("python3.98") is None
    assert runtime_interpreter("python3.99") is None


def test_the_bytecode_names_its_source_where_lambda_puts_it(tmp_path: Path) -> None:
    # Given a compiled package
    package = _package(tmp_path / "deployment.zip")
    compile_package(package, sys.executable)

    # Then its modules' code names the task root, not the directory it was compiled in
    with zipfile.ZipFile(package) as compiled:
        code = marshal.loads(compiled.read(  # noqa: S302 - our own bytecode, just written
            f"lib/__pycache__/mod.{sys.implementation.cache_tag}.pyc")[16:])
    assert code.co_filename == f"{TASK_ROOT}/lib/mod.py"


def test_compiling_adds_the_bytecode_of_every_module_and_keeps_every_entry(tmp_path: Path) -> None:
    # Given a package as Chalice builds it
    package = _package(tmp_path / "deployment.zip")
    with zipfile.ZipFile(package) as before:
        entries = {info.filename: (info.date_time, info.external_attr, before.read(info)) for info in before.infolist()}

    # When this Python compiles it
    compiled = compile_package(package, sys.executable)

    # Then each module that compiles has its bytecode beside it, with its source's date and mode;
    # the one that does not is named, and left a source
    tag = sys.implementation.cache_tag
    with zipfile.ZipFile(package) as after:
        infos = {info.filename: info for info in after.infolist()}
        assert {name: (info.date_time, info.external_attr, after.read(info))
                for name, info in infos.items() if name in entries} == entries
    assert sorted(set(infos) - set(entries)) == [f"__pycache__/app.{tag}.pyc", f"lib/__pycache__/__init__.{tag}.pyc",
                                                 f"lib/__pycache__/mod.{tag}.pyc"]
    assert compiled.added == 3
    assert infos[f"lib/__pycache__/mod.{tag}.pyc"].date_time == (1980, 1, 1, 0, 0, 0)
    assert "broken.py" in compiled.failures

    # And compiling the same sources again gives the same package, byte for byte (the asset's hash
    # moves only when a source does)
    again = compile_package(_package(tmp_path / "again.zip"), sys.executable)
    assert again.added == 3
    assert (tmp_path / "again.zip").read_bytes() == package.read_bytes()


def test_the_extracted_package_imports_from_its_bytecode_and_names_the_task_root(tmp_path: Path) -> None:
    # Given a compiled package extracted read-only, as Lambda runs it
    package = _package(tmp_path / "deployment.zip")
    compile_package(package, sys.executable)
    task = tmp_path / "task"
    with zipfile.ZipFile(package) as extracted:
        extracted.extractall(task)
    for path in task.rglob("*"):
        path.chmod(0o555 if path.is_dir() else 0o444)

    # When its module is imported and fails
    run = subprocess.run([sys.executable, "-v", "-c", "import lib.mod; lib.mod.fail()"], cwd=task,
                         env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": ""},
                         capture_output=True, text=True, check=False)

    # Then the module came from its bytecode, not from compiling its source, and the traceback
    # names the source and shows its line
    tag = sys.implementation.cache_tag
    assert f"code object from '{task}/lib/__pycache__/mod.{tag}.pyc'" in run.stderr
    assert f'File "{task}/lib/mod.py", line 3, in fail\n    raise ValueError("from the package")' in run.stderr


def test_the_stack_ships_bytecode_when_this_machine_has_the_runtimes_python_and_warns_when_not(
        synthesized: Synthesized, expanded: Expanded) -> None:
    # Given the deployment package every function runs
    (key,) = {expanded.template["Resources"][ChaliceApi.function_logical_id(
        name, api_handler=name == constants.API_HANDLER)]["Properties"]["Code"]["S3Key"]
        for name in constants.FUNCTION_NAMES}
    with zipfile.ZipFile(synthesized.outdir / f"asset.{key}") as package:
        names = set(package.namelist())
    modules = {name for name in names if name.endswith(".py")}
    bytecode = {name for name in names if name.endswith(".pyc")}
    warnings = Annotations.from_stack(synthesized.stack).find_warning(
        "*", Match.string_like_regexp(f"No {constants.LAMBDA_RUNTIME} on PATH"))

    # Then with the runtime's Python the package has each module's bytecode; without it, the
    # package has none and the synthesis says so and what to do
    if runtime_interpreter(constants.LAMBDA_RUNTIME):
        assert len(bytecode) >= len(modules) - 10, (len(bytecode), len(modules))
        assert not warnings
    else:
        assert modules
        assert not bytecode
        assert len(warnings) == 1
        assert f"Install {constants.LAMBDA_RUNTIME}" in str(warnings[0].entry.data)


def test_the_package_chalice_builds_for_the_construct_is_compiled_before_it_becomes_an_asset(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Given a packager that writes its package where Chalice's does
    def package_app(project_dir: str, output_dir: str, stage: str, chalice_config: dict[str, Any] | None = None,
                    package_format: str = "cloudformation", template_format: str = "json") -> None:
        Path(output_dir).mkdir()
        _package(Path(output_dir) / "deployment.zip")
    monkeypatch.setattr(chalice_api, "package_app", package_app)

    # When the Chalice construct packages (the call it makes, on the module it imported) with a
    # runtime interpreter at hand
    with _compiled_by(sys.executable) as compiled:
        chalice_api.package_app(project_dir=str(tmp_path), output_dir=str(tmp_path / "out"),
                                stage="dev", chalice_config={})

    # Then the package it makes an asset of holds the bytecode, and the packager is Chalice's again
    with zipfile.ZipFile(tmp_path / "out" / "deployment.zip") as package:
        assert f"lib/__pycache__/mod.{sys.implementation.cache_tag}.pyc" in package.namelist()
    assert [outcome.added for outcome in compiled] == [3]
    assert chalice_api.package_app is package_app


@pytest.mark.parametrize("interpreter", [sys.executable, None], ids=["compiled", "sources"])
def test_bytecode_copied_from_the_source_tree_never_reaches_the_package(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, interpreter: str | None) -> None:
    # Given a source tree whose __pycache__ Chalice packages: another Python's bytecode, and a stale
    # file of this Python's under the very name compiling writes
    def package_app(project_dir: str, output_dir: str, stage: str, chalice_config: dict[str, Any] | None = None,
                    package_format: str = "cloudformation", template_format: str = "json") -> None:
        Path(output_dir).mkdir()
        _package(Path(output_dir) / "deployment.zip", SOURCES + STALE)
    monkeypatch.setattr(chalice_api, "package_app", package_app)

    # When the construct packages, with the runtime's interpreter and without one
    with _compiled_by(interpreter):
        chalice_api.package_app(project_dir=str(tmp_path), output_dir=str(tmp_path / "out"), stage="dev")

    # Then none of the copied bytecode is left, no name is in the package twice, and what bytecode
    # there is was compiled here
    with zipfile.ZipFile(tmp_path / "out" / "deployment.zip") as package:
        names = package.namelist()
        assert len(names) == len(set(names))
        assert {name for name in names if not name.endswith(".pyc")} == {name for name, _ in SOURCES}
        assert all(name.endswith(f".{TAG}.pyc") for name in names if name.endswith(".pyc"))
        if interpreter:
            assert package.read(f"lib/__pycache__/mod.{TAG}.pyc") != b"stale"
            assert len([name for name in names if name.endswith(".pyc")]) == 3
        else:
            assert not [name for name in names if name.endswith(".pyc")]


def test_a_package_without_bytecode_is_left_as_it_is(tmp_path: Path) -> None:
    package = _package(tmp_path / "deployment.zip")
    before = package.read_bytes()

    assert without_bytecode(package) == 0
    assert package.read_bytes() == before


def test_removing_bytecode_keeps_every_other_entry_as_it_was(tmp_path: Path) -> None:
    package = _package(tmp_path / "deployment.zip", SOURCES + STALE)
    with zipfile.ZipFile(package) as before:
        kept = {info.filename: (info.date_time, info.external_attr, info.compress_type, before.read(info))
                for info in before.infolist() if info.filename in dict(SOURCES)}

    assert without_bytecode(package) == len(STALE)
    with zipfile.ZipFile(package) as after:
        assert {info.filename: (info.date_time, info.external_attr, info.compress_type, after.read(info))
                for info in after.infolist()} == kept
