"""``base.safewrite``: what the file sink and ``omkit init --force`` may replace, and how."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from omkit_sagemaker.base.safewrite import AtomicFile, UnsafeTarget, check_target, write_text


def test_a_new_file_and_a_regular_file_are_fine(tmp_path: Path) -> None:
    assert check_target(tmp_path / "new.json") == tmp_path / "new.json"
    (tmp_path / "old.json").write_text("[]", encoding="utf-8")
    write_text(tmp_path / "old.json", "[1]")
    assert (tmp_path / "old.json").read_text(encoding="utf-8") == "[1]"
    assert [p.name for p in tmp_path.iterdir()] == ["old.json"]


def test_a_named_pipe_is_refused_and_left_alone(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(UnsafeTarget, match="pipe is a named pipe: omkit writes only to a regular"):
        write_text(fifo, "x")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


def test_a_link_to_a_device_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "out.json"
    link.symlink_to("/dev/null")
    with pytest.raises(UnsafeTarget, match=r"is a character device \(through the link to /dev/"):
        write_text(link, "x")
    assert link.is_symlink()


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsafeTarget, match="is a directory"):
        check_target(tmp_path)


def test_a_link_to_a_file_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "out.json"
    link.symlink_to(real.name)
    write_text(link, "new")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "new"


def test_a_file_that_is_read_is_refused_even_through_a_link(tmp_path: Path) -> None:
    config = tmp_path / "sm.yaml"
    config.write_text("source: {}\n", encoding="utf-8")
    (tmp_path / "alias.yaml").symlink_to(config)
    for target in (config, tmp_path / "alias.yaml"):
        with pytest.raises(UnsafeTarget, match="is a file this command reads"):
            write_text(target, "[]", reads=[config])
    assert config.read_text(encoding="utf-8") == "source: {}\n"


def test_the_mode_of_an_existing_file_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("[]", encoding="utf-8")
    target.chmod(0o600)
    write_text(target, "[1]")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    target.chmod(0o640)
    write_text(target, "[2]", private=True)  # a secret: never wider than 0600
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_missing_or_read_only_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsafeTarget, match="does not exist"):
        check_target(tmp_path / "missing" / "out.json")
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(UnsafeTarget, match="is not writable"):
            check_target(locked / "out.json")


def test_a_discarded_file_leaves_the_old_one_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")
    handle = AtomicFile(target)
    handle.out.write("half")
    handle.discard()
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]
