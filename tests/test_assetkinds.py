"""The asset kinds come from one list, :data:`omkit_sagemaker.assetkinds.DECLARED`: a kind
declared there (with its behaviour module in ``ingest/kinds/``) is in ``--assets``, in
``omkit policy sagemaker``, in ``test-connection --assets`` and in the run, and nowhere else is
a second list to keep equal."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest
from omkit_sagemaker import api, assetkinds
from omkit_sagemaker.ingest.connection.kinds import check_kinds
from omkit_sagemaker.ingest.connection.recorder import Recorder
from omkit_sagemaker.ingest.kinds import behaviour
from omkit_sagemaker.ingest.kinds.assetkind import AssetKind, RunAssets
from omkit_sagemaker.ingest.kinds.run import read_assets, read_kinds
from omkit_sagemaker.ingest.sinks.sinkbase import RunStatus
from omkit_sagemaker.scaffold import policy

FAKE = assetkinds.KindDeclaration(
    "fake-kind", "ReadSageMakerFakes", ("sagemaker:ListFakes",), "a kind only this test has"
)


class FakeKind(AssetKind):
    declared = FAKE
    probe_action = "sagemaker:ListFakes"

    def __init__(self) -> None:
        self.read_by: list[str] = []

    def probe(self, client: Any) -> str:
        return f"sagemaker:ListFakes allowed ({client})"

    def read(self, assets: RunAssets) -> None:
        self.read_by.append(assets.region)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeKind:
    """``fake-kind`` declared last, its behaviour in ``ingest/kinds/fake_kind.py``."""
    kind = FakeKind()
    module = types.ModuleType("omkit_sagemaker.ingest.kinds.fake_kind")
    module.KIND = kind  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(assetkinds, "DECLARED", (*assetkinds.DECLARED, FAKE))
    return kind


def _steps(kinds: set[str]) -> list[tuple[str, str]]:
    rec = Recorder(timeout=1.0, max_attempts=1, on_step=None)
    check_kinds(rec, "the client", kinds)
    return [(r.name, r.detail) for r in rec.results]


def test_a_kind_that_is_not_declared_is_unknown_everywhere() -> None:
    with pytest.raises(ValueError, match="unknown asset kind 'fake-kind'"):
        assetkinds.parse_assets(["fake-kind"])
    with pytest.raises(ValueError, match="unknown asset kind 'fake-kind'"):
        policy.sagemaker_policy(("fake-kind",))
    with pytest.raises(ValueError, match="unknown asset kind 'fake-kind'"):
        api.options(assets=["fake-kind"])
    assert "ReadSageMakerFakes" not in [s["Sid"] for s in policy.sagemaker_policy()["Statement"]]
    assert _steps({"fake-kind"}) == []


def test_a_declared_kind_is_in_assets_the_policy_test_connection_and_the_run(
    fake: FakeKind,
) -> None:
    # --assets (omkit run, test-connection, the Python API)
    assert assetkinds.parse_assets(["endpoints,fake-kind"]) == {"models", "endpoints", "fake-kind"}
    assert "fake-kind" in api.options().assets  # every kind by default
    # omkit policy sagemaker: its statement, last, by default and when asked for
    default = policy.sagemaker_policy()["Statement"]
    assert default[-1] == {
        "Sid": "ReadSageMakerFakes",
        "Effect": "Allow",
        "Action": ["sagemaker:ListFakes"],
        "Resource": "*",
    }
    assert [s["Sid"] for s in policy.sagemaker_policy(("fake-kind",))["Statement"]] == [
        "ReadSageMakerModels",
        "ReadSageMakerFakes",
    ]
    # test-connection --assets: its step, after the others, in the declared order
    assert _steps({"fake-kind", "endpoints"})[-1] == (
        "fake-kind",
        "sagemaker:ListFakes allowed (the client)",
    )
    # the run reads it and reports it read
    assets = read_assets(None, "eu-west-1", {"models", "fake-kind"}, RunStatus())
    assert fake.read_by == ["eu-west-1"]
    assert read_kinds({"models", "fake-kind"}, assets) == {"models": None, "fake-kind": None}


def test_every_declared_kind_has_its_behaviour_module() -> None:
    for declared in assetkinds.DECLARED:
        assert behaviour(declared).declared is declared
    with pytest.raises(ModuleNotFoundError):
        behaviour(FAKE)


def test_a_call_a_kind_does_not_declare_is_refused() -> None:
    """The readers name their IAM actions through the declaration, so a call the policy would
    not allow cannot be made without declaring it."""
    assert assetkinds.ENDPOINTS.action("DescribeEndpoint") == "sagemaker:DescribeEndpoint"
    with pytest.raises(ValueError, match="does not declare sagemaker:DescribeModel"):
        assetkinds.ENDPOINTS.action("DescribeModel")
