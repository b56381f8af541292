"""The asset kinds come from one list, :data:`omkit_sagemaker.assetkinds.DECLARED`: a kind
declared there is in ``--assets``, in ``omkit policy sagemaker``, in ``test-connection
--assets`` and in the run, and nowhere else is a second list to keep equal."""

from __future__ import annotations

from typing import Any

import pytest
from omkit_sagemaker import api, assetkinds
from omkit_sagemaker.ingest.connection import kinds as connection_kinds
from omkit_sagemaker.ingest.connection.kinds import check_kinds
from omkit_sagemaker.ingest.connection.results import Recorder
from omkit_sagemaker.scaffold import policy

FAKE = assetkinds.KindDeclaration(
    "fake-kind", "ReadSageMakerFakes", ("sagemaker:ListFakes",), "a kind only this test has"
)


def _probe(client: Any) -> str:
    return f"sagemaker:ListFakes allowed ({client})"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> None:
    """``fake-kind`` declared last, with its test-connection step."""
    monkeypatch.setattr(assetkinds, "DECLARED", (*assetkinds.DECLARED, FAKE))
    probes = {**connection_kinds.PROBES, "fake-kind": ("sagemaker:ListFakes", _probe)}
    monkeypatch.setattr(connection_kinds, "PROBES", probes)


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


@pytest.mark.usefixtures("fake")
def test_a_declared_kind_is_in_assets_the_policy_test_connection_and_the_run() -> None:
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


def test_a_call_a_kind_does_not_declare_is_refused() -> None:
    """The readers name their IAM actions through the declaration, so a call the policy would
    not allow cannot be made without declaring it."""
    assert assetkinds.ENDPOINTS.action("DescribeEndpoint") == "sagemaker:DescribeEndpoint"
    with pytest.raises(ValueError, match="does not declare sagemaker:DescribeModel"):
        assetkinds.ENDPOINTS.action("DescribeModel")
