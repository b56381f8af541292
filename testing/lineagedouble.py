"""A test double of SageMaker's lineage graph, in front of moto, which lacks it.

moto 5.2 answers ``ListArtifacts``, ``ListAssociations`` and the other lineage calls with a 500
("not yet implemented"), so nothing of the graph can be seeded there. :class:`LineageGraph`
holds a small graph (artifacts and associations, as SageMaker records them when a processing
job writes an S3 location, and when a training job reads datasets and writes a model) and
answers the calls as the API documents them:

* ``ListArtifacts``: the artifacts whose ``Source.SourceUri`` equals ``SourceUri`` (and
  ``ArtifactType``, when given), ``MaxResults`` at a time (AWS's default 10), ``NextToken`` the
  next offset;
* ``ListAssociations``: the associations matching every one of ``SourceArn``,
  ``DestinationArn``, ``SourceType``, ``DestinationType``, ``AssociationType`` given, paged the
  same way;
* ``DescribeArtifact``, ``DescribeAction``: one entity by ARN (``ResourceNotFound`` for an
  unknown one);
* ``ListContexts``: by ``SourceUri`` and ``ContextType``, paged;
* ``QueryLineage``: a walk along the associations (see :meth:`LineageGraph.query_lineage`).

Every request is first held to the service model and its documented limits
(:func:`shapecheck.check_request`: an unknown member, ``MaxResults`` over 100, an ARN that is
too long are refused with AWS's ValidationException), and every answer to the output shape
(:func:`shapecheck.check_answer`). Mount it with :meth:`mount` on a
:class:`awsfaults.FaultProxy`: the other calls (``DescribeProcessingJob``, ...) go on to moto.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from testing.awsfixtures import ACCOUNT, REGION
from testing.shapecheck import check_answer, check_request

DEFAULT_RESULTS = 10
_EPOCH = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc).timestamp()
_ASSOCIATION_KEYS = ("SourceArn", "DestinationArn", "SourceType", "DestinationType")


def arn(resource: str) -> str:
    """A SageMaker ARN of the test account and region (``artifact/abc``)."""
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{resource}"


@dataclass
class LineageGraph:
    """The artifacts and associations SageMaker recorded, and the requests it was asked."""

    artifacts: list[dict[str, Any]] = field(default_factory=list)
    associations: list[dict[str, Any]] = field(default_factory=list)
    contexts: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    #: ``(operation, params)`` of each request received.
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    #: Requests refused as SageMaker refuses them.
    refused: int = 0

    def mount(self, proxy: Any) -> Any:
        """Answer the lineage calls of ``proxy`` (an ``awsfaults.FaultProxy``); ``proxy``."""
        proxy.handlers["ListArtifacts"] = self.list_artifacts
        proxy.handlers["ListAssociations"] = self.list_associations
        proxy.handlers["DescribeArtifact"] = self.describe_artifact
        proxy.handlers["ListContexts"] = self.list_contexts
        proxy.handlers["QueryLineage"] = self.query_lineage
        proxy.handlers["DescribeAction"] = self.describe_action
        return proxy

    def dataset(self, uri: str, kind: str = "DataSet") -> str:
        """Record the S3 location ``uri`` as an artifact of type ``kind`` (once: SageMaker keeps
        one artifact per location); its ARN."""
        for known in self.artifacts:
            if (known["Source"]["SourceUri"], known["ArtifactType"]) == (uri, kind):
                return str(known["ArtifactArn"])
        artifact = arn(f"artifact/{len(self.artifacts):032x}")
        self.artifacts.append(
            {
                "ArtifactArn": artifact,
                "Source": {"SourceUri": uri, "SourceTypes": []},
                "ArtifactType": kind,
                "CreationTime": _EPOCH,
            }
        )
        return artifact

    def training_job_made(self, job: str, model_uri: str, datasets: list[str]) -> None:
        """Record what SageMaker records of training job ``job``: its trial component
        (``<job>-aws-training-job``) ``Produced`` the ``Model`` artifact of ``model_uri``, and
        each of ``datasets`` (S3 URIs, as ``DataSet`` artifacts) ``ContributedTo`` it."""
        trainer = arn(f"experiment-trial-component/{job}-aws-training-job")
        made = [(trainer, self.dataset(model_uri, "Model"), "SageMakerTrainingJob", "Model")]
        made += [
            (self.dataset(uri), trainer, "DataSet", "SageMakerTrainingJob") for uri in datasets
        ]
        for source, destination, source_type, destination_type in made:
            self.associations.append(
                {
                    "SourceArn": source,
                    "DestinationArn": destination,
                    "SourceType": source_type,
                    "DestinationType": destination_type,
                    "AssociationType": "Produced"
                    if destination_type == "Model"
                    else "ContributedTo",
                    "CreationTime": _EPOCH,
                }
            )

    def processing_job_wrote(self, job: str, uri: str, *, by_trial_component: bool = True) -> None:
        """Record that processing job ``job`` wrote ``uri``, as SageMaker does: an association
        ``Produced`` from the job's trial component (``<job>-aws-processing-job``), or from the
        job itself, to the location's artifact."""
        if by_trial_component:
            source = arn(f"experiment-trial-component/{job}-aws-processing-job")
        else:
            source = arn(f"processing-job/{job}")
        self.associations.append(
            {
                "SourceArn": source,
                "DestinationArn": self.dataset(uri),
                "SourceType": "SageMakerProcessingJob",
                "DestinationType": "DataSet",
                "AssociationType": "Produced",
                "CreationTime": _EPOCH,
            }
        )

    def _link(self, source: str, destination: str, kind: str) -> None:
        self.associations.append(
            {
                "SourceArn": source,
                "DestinationArn": destination,
                "SourceType": self._type(source),
                "DestinationType": self._type(destination),
                "AssociationType": kind,
                "CreationTime": _EPOCH,
            }
        )

    def _type(self, entity: str) -> str:
        """The ``Type`` SageMaker gives an entity (an artifact's, action's or context's type)."""
        for known, key, kind in (
            (self.artifacts, "ArtifactArn", "ArtifactType"),
            (self.actions, "ActionArn", "ActionType"),
            (self.contexts, "ContextArn", "ContextType"),
        ):
            for item in known:
                if item[key] == entity:
                    return str(item[kind])
        return "SageMakerTrainingJob"

    def endpoint_deploys(self, endpoint_arn: str, package_arn: str, model_uri: str) -> None:
        """Record what SageMaker records when the endpoint ``endpoint_arn`` deploys the package
        version ``package_arn`` (whose model is ``model_uri``): the version's approval action
        (``ModelPackageApprovalAction``, source: the version's ARN) downstream of the model
        artifact, a ``ModelDeployment`` action, and the endpoint's context (``Endpoint``,
        source: the endpoint's ARN)."""
        n = len(self.actions)
        approval = self._entity(
            self.actions, "action", f"approval-{n}", package_arn, "ModelPackageApprovalAction"
        )
        deploy = self._entity(
            self.actions, "action", f"deploy-{n}", endpoint_arn, "ModelDeployment"
        )
        context = next(
            (c["ContextArn"] for c in self.contexts if c["Source"]["SourceUri"] == endpoint_arn),
            None,
        ) or self._entity(self.contexts, "context", f"endpoint-{n}", endpoint_arn, "Endpoint")
        self._link(self.dataset(model_uri, "Model"), approval, "ContributedTo")
        self._link(approval, deploy, "ContributedTo")
        self._link(deploy, context, "AssociatedWith")

    def _entity(self, into: list[dict[str, Any]], kind: str, name: str, uri: str, typ: str) -> str:
        entity = arn(f"{kind}/{name}")
        key = kind.capitalize()
        into.append(
            {
                f"{key}Arn": entity,
                f"{key}Name": name,
                "Source": {"SourceUri": uri},
                f"{key}Type": typ,
                "CreationTime": _EPOCH,
            }
        )
        return entity

    def _check(self, operation: str, params: Any) -> None:
        try:
            check_request(operation, params)
        except Exception:  # ServiceError: the proxy answers it as AWS does
            self.refused += 1
            raise

    def list_artifacts(self, params: Any) -> dict[str, Any]:
        self.requests.append(("ListArtifacts", params))
        self._check("ListArtifacts", params)
        found = [
            a
            for a in self.artifacts
            if params.get("SourceUri") in (None, a["Source"]["SourceUri"])
            and params.get("ArtifactType") in (None, a["ArtifactType"])
        ]
        return _page("ListArtifacts", "ArtifactSummaries", found, params)

    def list_associations(self, params: Any) -> dict[str, Any]:
        self.requests.append(("ListAssociations", params))
        self._check("ListAssociations", params)
        keys = (*_ASSOCIATION_KEYS, "AssociationType")
        found = [a for a in self.associations if all(params.get(k) in (None, a[k]) for k in keys)]
        return _page("ListAssociations", "AssociationSummaries", found, params)

    def describe_artifact(self, params: Any) -> dict[str, Any]:
        """``DescribeArtifact``: the artifact, or ResourceNotFound as SageMaker answers."""
        from testing.shapecheck import ServiceError

        self.requests.append(("DescribeArtifact", params))
        self._check("DescribeArtifact", params)
        for artifact in self.artifacts:
            if artifact["ArtifactArn"] == params["ArtifactArn"]:
                answer = {k: v for k, v in artifact.items() if k != "ArtifactName"}
                check_answer("DescribeArtifact", answer)
                return answer
        raise ServiceError("ResourceNotFound", f"Artifact {params['ArtifactArn']} does not exist.")

    def list_contexts(self, params: Any) -> dict[str, Any]:
        self.requests.append(("ListContexts", params))
        self._check("ListContexts", params)
        found = [
            c
            for c in self.contexts
            if params.get("SourceUri") in (None, c["Source"]["SourceUri"])
            and params.get("ContextType") in (None, c["ContextType"])
        ]
        return _page("ListContexts", "ContextSummaries", found, params)

    def describe_action(self, params: Any) -> dict[str, Any]:
        from testing.shapecheck import ServiceError

        self.requests.append(("DescribeAction", params))
        self._check("DescribeAction", params)
        for action in self.actions:
            if params["ActionName"] in (action["ActionArn"], action["ActionName"]):
                check_answer("DescribeAction", action)
                return dict(action)
        raise ServiceError("ResourceNotFound", f"Action {params['ActionName']} does not exist.")

    def query_lineage(self, params: Any) -> dict[str, Any]:
        """``QueryLineage``: the entities reached from ``StartArns`` along the associations
        (``Ascendants``: to their sources; ``Descendants``: to their destinations; ``Both``),
        at most ``MaxDepth`` (default 10) steps, those matching ``Filters`` ``Types`` and
        ``LineageTypes``; paged by ``MaxResults``."""
        self.requests.append(("QueryLineage", params))
        self._check("QueryLineage", params)
        direction = params.get("Direction", "Both")
        seen = list(params.get("StartArns") or [])
        frontier = list(seen)
        for _ in range(int(params.get("MaxDepth") or 10)):
            step = []
            for a in self.associations:
                if direction in ("Ascendants", "Both") and a["DestinationArn"] in frontier:
                    step.append(a["SourceArn"])
                if direction in ("Descendants", "Both") and a["SourceArn"] in frontier:
                    step.append(a["DestinationArn"])
            frontier = [e for e in dict.fromkeys(step) if e not in seen]
            seen += frontier
        wanted = params.get("Filters") or {}
        vertices = [
            {"Arn": e, "Type": self._type(e), "LineageType": _lineage_type(e)}
            for e in seen[len(params.get("StartArns") or []) :]
        ]
        vertices = [
            v
            for v in vertices
            if v["Type"] in wanted.get("Types", [v["Type"]])
            and v["LineageType"] in wanted.get("LineageTypes", [v["LineageType"]])
        ]
        answer = _page("QueryLineage", "Vertices", vertices, params)
        answer["Edges"] = []
        check_answer("QueryLineage", answer)
        return answer


def _lineage_type(entity: str) -> str:
    kind = entity.rpartition(":")[2].partition("/")[0]
    return {"artifact": "Artifact", "action": "Action", "context": "Context"}.get(
        kind, "TrialComponent"
    )


def _page(operation: str, key: str, found: list[dict[str, Any]], params: Any) -> dict[str, Any]:
    size = int(params.get("MaxResults") or DEFAULT_RESULTS)
    start = int(params.get("NextToken") or 0)
    answer: dict[str, Any] = {key: found[start : start + size]}
    if start + size < len(found):
        answer["NextToken"] = str(start + size)
    check_answer(operation, answer)
    return answer


def create_processing_job(
    server: Any, name: str, *, inputs: dict[str, str], outputs: dict[str, str]
) -> None:
    """A processing job in moto reading ``inputs`` and writing ``outputs`` (name -> S3 URI)."""
    from testing.awsfixtures import ROLE_ARN

    server.client("sagemaker").create_processing_job(
        ProcessingJobName=name,
        ProcessingInputs=[
            {
                "InputName": key,
                "S3Input": {
                    "S3Uri": uri,
                    "LocalPath": f"/opt/ml/processing/input/{key}",
                    "S3DataType": "S3Prefix",
                    "S3InputMode": "File",
                },
            }
            for key, uri in inputs.items()
        ],
        ProcessingOutputConfig={
            "Outputs": [
                {
                    "OutputName": key,
                    "S3Output": {
                        "S3Uri": uri,
                        "LocalPath": f"/opt/ml/processing/output/{key}",
                        "S3UploadMode": "EndOfJob",
                    },
                }
                for key, uri in outputs.items()
            ]
        },
        ProcessingResources={
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.xlarge",
                "VolumeSizeInGB": 10,
            }
        },
        AppSpecification={"ImageUri": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sklearn:1"},
        RoleArn=ROLE_ARN,
    )
