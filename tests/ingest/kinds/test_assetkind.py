"""What every asset kind shares (omkit_sagemaker.ingest.kinds.assetkind): a kind skipped for a
missing permission is remembered with its action and warned about once, with how to allow it;
the Search probe of ``test-connection --assets`` (answers held to botocore's service model by its
Stubber) says how many it saw; a kind does nothing at the moments it does not write, as the
``models`` kind (omkit_sagemaker.ingest.kinds.models, read by the models source itself) shows:
its tests live here, ``test_models`` being the name of the spec models' tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber
from omkit_sagemaker import assetkinds
from omkit_sagemaker.ingest.kinds.assetkind import RunAssets, search_probe
from omkit_sagemaker.ingest.kinds.models import KIND
from omkit_sagemaker.ingest.mapping import model_request
from omkit_sagemaker.ingest.sinks.sinkbase import RunProblem, RunStatus
from omkit_sagemaker.ingest.sources.answers import AssetDenied

from testing.awsfixtures import MotoServer
from testing.modelcases import churn


def test_a_denied_kind_is_remembered_with_its_action_and_warned_about_once() -> None:
    status = RunStatus()
    assets = RunAssets(client=None, region="us-east-1", status=status)
    assets.denied(AssetDenied("registry", "sagemaker:Search", "AccessDeniedException: no"))
    assert assets.skipped == {"registry": "sagemaker:Search"}
    assert status.warnings == [
        RunProblem(
            "registry",
            "skipped: sagemaker:Search is not allowed (AccessDeniedException: no); allow it (see "
            "omkit policy sagemaker) or leave registry out of --assets",
        )
    ]


def test_a_run_knows_nothing_of_the_kinds_before_reading_them() -> None:
    assets = RunAssets(client=None, region="us-east-1", status=RunStatus())
    assert assets.servings("churn") == ()
    assert (assets.read, assets.skipped, assets.group_names, assets.training) == (
        {},
        {},
        set(),
        None,
    )


@pytest.fixture
def stubbed(moto: MotoServer) -> Iterator[tuple[Any, Stubber]]:
    client = moto.client("sagemaker")
    with Stubber(client) as stubber:
        yield client, stubber


def test_the_search_probe_asks_for_one_result_and_says_if_there_are_more(
    stubbed: tuple[Any, Stubber],
) -> None:
    client, stubber = stubbed
    one = {"Results": [{"FeatureGroup": {"FeatureGroupName": "customers"}}], "NextToken": "t"}
    stubber.add_response("search", one, {"Resource": "FeatureGroup", "MaxResults": 1})
    stubber.add_response("search", {"Results": []}, {"Resource": "FeatureGroup", "MaxResults": 1})
    assert (
        search_probe(client, "FeatureGroup") == "sagemaker:Search on FeatureGroup allowed (1+ seen)"
    )
    assert (
        search_probe(client, "FeatureGroup") == "sagemaker:Search on FeatureGroup allowed (0 seen)"
    )


def test_the_models_kind_is_the_declared_one_and_adds_nothing() -> None:
    assert KIND.declared is assetkinds.MODELS
    status = RunStatus()
    assets = RunAssets(client=None, region="us-east-1", status=status)
    request = model_request(churn(), "svc", "us-east-1")
    KIND.read(assets)
    assert KIND.enrich(assets, request, None) is request
    KIND.finish(assets)
    assert (assets.read, assets.skipped, status.warning_count) == ({}, {}, 0)


def test_it_has_no_test_connection_step_of_its_own() -> None:
    assert KIND.probe_action is None
    with pytest.raises(TypeError, match="models has no test-connection step of its own"):
        KIND.probe(None)
