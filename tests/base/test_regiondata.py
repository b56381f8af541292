"""The AWS regions rule R003 checks awsRegion against (omkit_sagemaker.base.regiondata): the
file's text is the regions as JSON under a comment saying how to regenerate it, and botocore's
endpoint data gives SageMaker's regions of every partition. (That the committed file is what
the installed botocore gives is checked by tests/check/test_rules.py, which its docstring names.)"""

from __future__ import annotations

import json

from omkit_sagemaker.base import regiondata


def test_the_file_text_holds_the_regions_under_a_comment_saying_how_to_regenerate() -> None:
    data = json.loads(regiondata.regions_text(["eu-west-1", "us-east-2"]))
    assert data["regions"] == ["eu-west-1", "us-east-2"]
    assert "python -m omkit_sagemaker.base.regiondata" in data["$comment"]
    assert regiondata.regions_text(["a"]).endswith("\n")


def test_botocore_lists_sagemaker_in_every_partition() -> None:
    regions = regiondata.botocore_regions()
    assert regions == sorted(set(regions))
    assert {"us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1"} <= set(regions)
