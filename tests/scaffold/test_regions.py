"""``omkit init sagemaker --regions a,b`` (omkit_sagemaker.scaffold.regions): one config per
region, each file and service named as an ``omkit run --region`` run names them, and a bad
region list refused with one line saying why."""

from __future__ import annotations

from pathlib import Path

import pytest
from omkit_sagemaker.scaffold.options import Options, ScaffoldError
from omkit_sagemaker.scaffold.regions import region_files


def test_each_region_gets_its_file_beside_the_output_and_its_service_name() -> None:
    options = Options(service_name="ml", sink_file="out/models.json")
    files = region_files(options, ["eu-west-1", "us-east-2"], Path("conf/sm.yml"))
    assert [path for path, _ in files] == [
        Path("conf/sm-eu-west-1.yml"),
        Path("conf/sm-us-east-2.yml"),
    ]
    first, second = (opts for _, opts in files)
    assert (first.region, first.service_name, first.sink_file) == (
        "eu-west-1",
        "ml_eu-west-1",
        "out/models_eu-west-1.json",
    )
    assert (second.region, second.service_name) == ("us-east-2", "ml_us-east-2")
    assert options.region is None  # the options given are left as they were


def test_without_output_or_service_name_the_defaults_get_the_region() -> None:
    ((path, opts),) = region_files(Options(), ["ap-south-1"], None)
    assert path == Path("sagemaker-ap-south-1.yaml")
    assert opts.service_name is not None
    assert opts.service_name.endswith("_ap-south-1")
    assert opts.sink_file is None


@pytest.mark.parametrize(
    ("options", "regions", "message"),
    [
        (Options(region="us-east-1"), ["eu-west-1"], "--region and --regions: give one of them"),
        (Options(), [], "--regions: no region given"),
        (Options(), ["eu-west-1", "eu-west-1"], "--regions: eu-west-1 is given twice"),
        (Options(), ["us-east-1a"], "availability zone, not a region: its region is us-east-1"),
        (Options(), ["Frankfurt"], "'Frankfurt' is not an AWS region code"),
    ],
)
def test_a_bad_region_list_is_refused_saying_why(
    options: Options, regions: list[str], message: str
) -> None:
    with pytest.raises(ScaffoldError, match=message):
        region_files(options, regions, None)
