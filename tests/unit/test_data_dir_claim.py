"""One local runtime per data folder: a second one (or a bulk load into a running runtime's folder)
is told which process holds it, instead of both saving over each other's journal."""

from pathlib import Path

import pytest

from local.persistence import DataDirInUse, claim_data_dir


def test_a_held_data_folder_is_refused_naming_its_holder(tmp_path: Path) -> None:
    held = claim_data_dir(tmp_path / "data")
    with pytest.raises(DataDirInUse, match=r"data is in use by another local runtime \(pid \d+\).*--data-dir"):
        claim_data_dir(tmp_path / "data")
    held.close()
    claim_data_dir(tmp_path / "data").close()  # free again once its holder lets go


def test_folders_are_held_apart(tmp_path: Path) -> None:
    first, second = claim_data_dir(tmp_path / "one"), claim_data_dir(tmp_path / "two")
    first.close()
    second.close()
