"""``omkit_sagemaker.check.discovery``: which files a run checks (workflow configs found by their
content in folders, named files as given, each file once however it is named), and reading a
file whole within the size cap."""

from __future__ import annotations

from pathlib import Path

import pytest
from omkit_sagemaker.check import discovery
from omkit_sagemaker.check.validate import UsageError, check_paths, collect_files

from testing.files import write


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in ["a.yaml", "b.yml", "notes.txt", "c.json", "yaml", "sub/d.yaml", "sub/deep/e.yml",
                 ".hidden/f.yaml", "sub/.git/g.yaml", ".h.yaml"]:  # fmt: skip
        write(tmp_path / name, "source:\n  type: SageMaker\n")
    (tmp_path / "dir.yaml").mkdir()  # a folder with the suffix is no file
    write(tmp_path / "sub" / "docker-compose.yml", "services:\n  moto: {image: motoserver}\n")
    return tmp_path


def test_a_directory_yields_only_workflow_configs_by_their_content(tree: Path) -> None:
    write(tree / "sub" / "quoted.yaml", '# a config\n"workflowConfig":\n  loggerLevel: INFO\n')
    found = discovery.collect([tree / "sub"])
    assert [p.name for p in found.files] == ["d.yaml", "e.yml", "quoted.yaml"]
    assert [p.name for p in found.skipped] == ["docker-compose.yml"]


def test_a_named_file_is_checked_unless_only_workflows_is_asked(tree: Path) -> None:
    compose = tree / "sub" / "docker-compose.yml"
    assert discovery.collect([compose]).files == [compose]
    only = discovery.collect([compose, tree / "a.yaml"], only_workflows=True)
    assert (only.files, only.skipped) == ([tree / "a.yaml"], [compose])


def test_a_file_over_the_size_cap_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(discovery.MAX_BYTES + 1)
    with pytest.raises(UsageError, match=r"4,194,305 bytes is more than omkit reads \(4 MiB"):
        check_paths([big])


def test_directories_expand_recursively_to_yaml_files(tree: Path) -> None:
    found = collect_files([tree])
    assert [p.relative_to(tree).as_posix() for p in found] == [
        "a.yaml",
        "b.yml",
        "sub/d.yaml",
        "sub/deep/e.yml",
    ]


def test_files_are_kept_as_given_whatever_their_name(tree: Path) -> None:
    assert collect_files([tree / "notes.txt", tree / "sub/d.yaml"]) == [
        tree / "notes.txt",
        tree / "sub/d.yaml",
    ]


def test_a_hidden_folder_given_by_name_is_searched(tree: Path) -> None:
    assert collect_files([tree / ".hidden"]) == [tree / ".hidden/f.yaml"]


def test_targets_keep_their_order_and_duplicates_appear_once(tree: Path) -> None:
    found = collect_files([tree / "sub", tree / "a.yaml", tree, tree / "sub/d.yaml"])
    assert [p.relative_to(tree).as_posix() for p in found] == [
        "sub/d.yaml",
        "sub/deep/e.yml",
        "a.yaml",
        "b.yml",
    ]


def test_the_same_file_named_two_ways_appears_once(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tree)
    found = collect_files([tree / "sub", "sub/d.yaml"])
    assert len(found) == 2  # sub/d.yaml, sub/deep/e.yml


def test_a_file_named_through_links_and_dot_dots_appears_once(tree: Path) -> None:
    (tree / "alias.yaml").symlink_to(tree / "a.yaml")
    (tree / "linked").symlink_to(tree / "sub", target_is_directory=True)
    named = [
        tree / "a.yaml",
        tree / "alias.yaml",
        tree / "sub" / ".." / "a.yaml",
        tree / "sub/d.yaml",
        tree / "linked" / "d.yaml",
        tree / "linked" / "deep" / ".." / "d.yaml",
    ]
    assert collect_files(named) == [tree / "a.yaml", tree / "sub/d.yaml"]


def test_a_broken_or_looping_link_is_a_missing_file(tree: Path) -> None:
    (tree / "broken.yaml").symlink_to(tree / "nowhere.yaml")
    (tree / "loop.yaml").symlink_to(tree / "loop.yaml")
    for name in ("broken.yaml", "loop.yaml"):
        with pytest.raises(UsageError, match=rf"{name}: no such file or directory"):
            collect_files([tree / name])


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 70_000, discovery.MAX_BYTES])
def test_a_file_is_read_whole_whatever_its_size(tmp_path: Path, size: int) -> None:
    data = bytes(i % 251 for i in range(size))
    path = tmp_path / "f.yaml"
    path.write_bytes(data)
    assert discovery.read_bounded(path) == data


def test_a_missing_path_is_a_usage_error(tree: Path) -> None:
    with pytest.raises(UsageError, match=r"missing\.yaml: no such file or directory"):
        collect_files([tree / "a.yaml", tree / "missing.yaml"])
