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


def test_the_graph_double_describes_an_artifact_as_sagemaker_does() -> None:
    """``DescribeArtifact`` (moto answers it with a 500): a known artifact's source; an unknown
    ARN is ResourceNotFound, one longer than the service model's 256 characters refused."""
    graph = LineageGraph()
    graph.training_job_made("train-churn", "s3://models/m.tar.gz", [TRAIN])
    (model,) = [a for a in graph.artifacts if a["ArtifactType"] == "Model"]
    described = graph.describe_artifact({"ArtifactArn": model["ArtifactArn"]})
    assert described["Source"]["SourceUri"] == "s3://models/m.tar.gz"
    with pytest.raises(ServiceError) as missing:
        graph.describe_artifact({"ArtifactArn": model["ArtifactArn"][:-1] + "f"})
    assert missing.value.code == "ResourceNotFound"
    with pytest.raises(ServiceError):
        graph.describe_artifact({"ArtifactArn": "arn:" + "x" * 300})
    assert graph.refused == 1
    # the training job's datasets contribute to its trial component, which produced the model
    into = graph.list_associations({"DestinationArn": model["ArtifactArn"]})
    (producer,) = into["AssociationSummaries"]
    assert producer["SourceArn"].endswith(
        ":experiment-trial-component/train-churn-aws-training-job"
    )
    read = graph.list_associations(
        {"DestinationArn": producer["SourceArn"], "SourceType": "DataSet"}
    )
    assert [a["AssociationType"] for a in read["AssociationSummaries"]] == ["ContributedTo"]


def test_the_graph_double_walks_the_lineage_as_query_lineage_does() -> None:
    """``QueryLineage`` and ``ListContexts`` (moto answers both with a 500): upstream of an
    endpoint's context, only the types asked for; ``MaxDepth`` over 10 refused."""
    from testing.lineagedouble import arn

    graph = LineageGraph()
    endpoint = arn("endpoint/churn-ep")
    package = arn("model-package/churn/2")
    graph.endpoint_deploys(endpoint, package, "s3://models/m.tar.gz")
    (context,) = graph.list_contexts({"SourceUri": endpoint})["ContextSummaries"]
    assert context["ContextType"] == "Endpoint"
    query = {
        "StartArns": [context["ContextArn"]],
        "Direction": "Ascendants",
        "Filters": {"Types": ["ModelPackageApprovalAction"]},
    }
    (vertex,) = graph.query_lineage(query)["Vertices"]
    assert graph.describe_action({"ActionName": vertex["Arn"]})["Source"]["SourceUri"] == package
    assert graph.query_lineage({**query, "Direction": "Descendants"})["Vertices"] == []
    with pytest.raises(ServiceError):
        graph.query_lineage({**query, "MaxDepth": 11})
