"""``omkit_sagemaker.api.checking``: ``omkit_sagemaker.validate`` of paths, YAML text and dicts,
every problem in the result, never raised."""

from __future__ import annotations

from pathlib import Path

import omkit_sagemaker
import yaml

from testing.samples import config_text


def test_validate_paths_text_and_dicts(tmp_path: Path) -> None:
    good = config_text("http://127.0.0.1:8585/api", "http://127.0.0.1:5000")
    (tmp_path / "good.yaml").write_text(good, encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(good.replace("awsRegion", "awsRegon"), encoding="utf-8")
    found = omkit_sagemaker.validate(tmp_path, environ=None)
    assert sorted(Path(f).name for f in found.files) == ["bad.yaml", "good.yaml"]
    assert not found.ok
    assert {Path(p.file).name for p in found.problems} == {"bad.yaml"}
    assert "S001" in {p.code for p in found.problems}  # awsRegon: did you mean awsRegion?

    assert omkit_sagemaker.validate(good, environ=None).ok
    as_dict = yaml.safe_load(good)
    as_dict["source"]["type"] = 7
    from_dict = omkit_sagemaker.validate(as_dict)
    assert not from_dict.ok
    assert from_dict.problems[0].file == "<dict>"

    missing = omkit_sagemaker.validate(tmp_path / "nope.yaml")
    assert not missing.ok
    assert "no such file" in (missing.usage_error or "")
