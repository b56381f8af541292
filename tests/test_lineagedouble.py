"""The lineage-graph double (testing/lineagedouble.py; moto has no lineage API) holds its
requests and answers to botocore's service model, as SageMaker would."""

from __future__ import annotations

import json

import pytest

from testing.lineagedouble import LineageGraph
from testing.shapecheck import ServiceError

TRAIN = "s3://ml-data/churn/train/"


def graph_of_the_estate() -> LineageGraph:
    graph = LineageGraph()
    graph.processing_job_wrote("prep-churn", TRAIN)
    return graph


def test_the_graph_double_refuses_what_sagemaker_refuses() -> None:
    graph = graph_of_the_estate()
    with pytest.raises(ServiceError, match="maxResults"):
        graph.list_artifacts({"SourceUri": TRAIN, "MaxResults": 1000})
    with pytest.raises(ServiceError):
        graph.list_associations({"DestinationArn": "x", "Unknown": 1})
    page = graph.list_artifacts({"SourceUri": TRAIN})
    assert [a["Source"]["SourceUri"] for a in page["ArtifactSummaries"]] == [TRAIN]
    assert json.dumps(page)  # a JSON answer, as the proxy sends it
