"""``base.safewrite``: what the file sink, ``omkit init --force`` and ``omkit fix`` may replace,
and how."""

from __future__ import annotations

import contextlib
import os
import random
import stat
import threading
import time
from pathlib import Path

import pytest
from omkit_sagemaker.base.safewrite import (
    AtomicFile,
    ConcurrentChange,
    UnsafeTarget,
    check_target,
    replace_bytes,
    write_text,
)


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


# --- replace_bytes: what omkit fix writes with ------------------------------------------------


def test_replace_bytes_refuses_a_file_changed_since_it_was_read(tmp_path: Path) -> None:
    target = tmp_path / "sm.yaml"
    target.write_bytes(b"theirs\n")
    with pytest.raises(ConcurrentChange, match="changed while omkit was working on it"):
        replace_bytes(target, b"ours\n", expected=b"what omkit read\n")
    assert target.read_bytes() == b"theirs\n"
    assert [p.name for p in tmp_path.iterdir()] == ["sm.yaml"]


def test_an_in_place_save_just_before_the_rename_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor that opened the file before the rename writes into the old file: its save
    is put back in place, and the write says the file changed (never a silent loss)."""
    target = tmp_path / "sm.yaml"
    target.write_bytes(b"read\n")
    real_replace = os.replace

    def editor_then_replace(src: str, dst: str) -> None:
        with open(target, "r+b") as editor:  # opened before the rename, written after it
            real_replace(src, dst)
            editor.truncate(0)
            editor.write(b"the editor's save\n")
            editor.flush()

    monkeypatch.setattr(os, "replace", editor_then_replace)
    with pytest.raises(ConcurrentChange):
        replace_bytes(target, b"fixed\n", expected=b"read\n")
    assert target.read_bytes() == b"the editor's save\n"


def test_an_in_place_save_between_the_check_and_the_rename_is_noticed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "sm.yaml"
    target.write_bytes(b"read\n")
    real_chmod = os.chmod

    def chmod_then_save(path: str, mode: int) -> None:  # the last step before the check
        real_chmod(path, mode)
        target.write_bytes(b"the editor's save\n")

    monkeypatch.setattr(os, "chmod", chmod_then_save)
    with pytest.raises(ConcurrentChange):
        replace_bytes(target, b"fixed\n", expected=b"read\n")
    assert target.read_bytes() == b"the editor's save\n"
    assert [p.name for p in tmp_path.iterdir()] == ["sm.yaml"]


def test_an_editor_saving_in_place_meanwhile_never_loses_its_save(tmp_path: Path) -> None:
    """40 races against a thread that saves in place once, at a random moment: the save is
    always there at the end (read before the fix, kept after it, or put back)."""
    target = tmp_path / "sm.yaml"
    rng = random.Random(25)
    for trial in range(40):
        target.write_bytes(b"old\n" * 200)
        save = f"# saved by the editor {trial}\n".encode() * 50
        delay = rng.uniform(0, 0.004)

        def editor(save: bytes = save, delay: float = delay) -> None:
            time.sleep(delay)
            with open(target, "wb") as handle:
                handle.write(save)

        thread = threading.Thread(target=editor)
        thread.start()
        expected = target.read_bytes()
        with contextlib.suppress(ConcurrentChange):
            replace_bytes(target, expected.replace(b"old", b"new"), expected=expected)
        thread.join()
        now = target.read_bytes()
        assert b"saved by the editor" in now, (trial, now[:40])


def test_replace_bytes_refuses_read_only_files_and_links(tmp_path: Path) -> None:
    target = tmp_path / "sm.yaml"
    target.write_bytes(b"read\n")
    target.chmod(0o444)
    with pytest.raises(UnsafeTarget, match=r"read-only \(mode 0444\)"):
        replace_bytes(target, b"fixed\n", expected=b"read\n")
    assert target.read_bytes() == b"read\n"
    link = tmp_path / "link.yaml"
    link.symlink_to(target.name)
    target.chmod(0o644)
    with pytest.raises(UnsafeTarget, match="a symbolic link"):
        replace_bytes(link, b"fixed\n", expected=b"read\n")
    assert target.read_bytes() == b"read\n"


def test_hard_links_and_the_owner_are_kept_by_every_writer(tmp_path: Path) -> None:
    def by_fix(path: Path) -> None:
        replace_bytes(path, b"new\n", expected=b"old\n")

    def by_sink(path: Path) -> None:
        write_text(path, "new\n")

    for write in (by_fix, by_sink):
        target = tmp_path / "out.yaml"
        target.write_bytes(b"old\n")
        other = tmp_path / "other-name.yaml"
        os.link(target, other)
        inode = target.stat().st_ino
        write(target)
        assert (target.stat().st_ino, target.stat().st_nlink) == (inode, 2)
        assert other.read_bytes() == b"new\n"
        other.unlink()
        if os.geteuid() == 0:  # only root may give a file to someone else
            target.write_bytes(b"old\n")
            os.chown(target, 4321, 4322)
            write(target)
            assert target.read_bytes() == b"new\n"
            assert (target.stat().st_uid, target.stat().st_gid) == (4321, 4322)
        target.unlink()
        assert list(tmp_path.iterdir()) == []
