"""The least-privilege IAM policy of a SageMaker ingestion: the library behind ``omkit policy``.

The policy allows exactly the AWS calls an ingestion makes, no more:

* ``sagemaker:ListModels``: list every model, page by page (``MaxResults=100``, ``NextToken``);
* ``sagemaker:DescribeModel``: one call per model, for its image and model-data location;
* ``sagemaker:ListTags``: one call per model, for its tags. ``omkit run`` ingests tags; upstream
  ``metadata ingest`` never calls it, but the connector page asks for it too, so a policy made
  here works for both runners;
* ``sagemaker:Search`` (optional for models): ``omkit run`` then reads 100 models with their tags
  per call instead of the two calls per model above; without it, the run falls back to them
  (one refused call, logged) and gets the same result. The three actions above stay in the
  policy for that fallback and for ``metadata ingest``;
* training jobs (``omkit run --assets training-jobs``, on by default):
  ``sagemaker:DescribeTrainingJob``, at most one call per model (the job named by the model's
  artifact location), and ``sagemaker:Search``, one bounded call per model whose artifact is not
  in SageMaker's default layout;
* endpoints (``--assets endpoints``, on by default): ``sagemaker:ListEndpoints`` (page by page),
  then ``sagemaker:DescribeEndpoint`` per endpoint and ``sagemaker:DescribeEndpointConfig`` per
  endpoint config, and ``sagemaker:Search`` on ``Endpoint`` (page by page) for their tags;
* the Model Registry (``--assets registry``, on by default): ``sagemaker:Search`` on
  ``ModelPackageGroup`` and on ``ModelPackage`` (page by page), for every group and version.

Each asset kind is one statement (its ``Sid`` says which; the kinds, their ``Sid`` and actions
are declared once, in :mod:`omkit_sagemaker.assetkinds`), so a kind can be left out of the
policy; ``omkit run`` then warns once, naming the missing action, and skips that kind.
``Resource`` is ``*``: ``ListModels``, ``ListEndpoints`` and ``Search`` have no resource-level
permissions at all, and the other read-only calls are kept alike so that one policy fits every
region and account.

When a role is assumed (``assumeRoleArn``), two identities are involved. The role makes the
SageMaker calls, so the policy above goes on the role. The identity the run starts with (keys,
profile or instance role) only needs ``sts:AssumeRole`` on that one role ARN, plus
``sts:SetSourceIdentity`` when ``assumeRoleSourceIdentity`` is set; and the role's trust policy
must name that identity. :func:`sagemaker` returns that second policy separately, with notes,
because a single document attached to both would give each more than it needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from omkit_sagemaker import assetkinds

#: IAM policy language version.
POLICY_VERSION = "2012-10-17"

Policy = dict[str, Any]

#: Why ``sagemaker:Search`` is in the models statement, and that it may be left out.
SEARCH_NOTE = (
    "sagemaker:Search is optional for models: with it, omkit run reads 100 models and their "
    "tags per call; without it, two calls per model (DescribeModel, ListTags), same result"
)


@dataclass(frozen=True)
class PolicyAdvice:
    """The policies a SageMaker ingestion needs, and where each goes."""

    #: For the identity that calls SageMaker: the assumed role when there is one.
    policy: Policy
    #: For the identity that assumes the role (None when no role is used).
    assume_role_policy: Policy | None = None
    #: Plain sentences saying where each policy goes and what else to set up.
    notes: tuple[str, ...] = ()


def sagemaker_policy(assets: tuple[str, ...] | None = None) -> Policy:
    """The policy that allows the SageMaker calls of an ingestion of ``assets`` (default: every
    kind; ``models`` is always in) and nothing else. Raises ValueError for an unknown kind."""
    declared = assetkinds.DECLARED
    chosen = assetkinds.parse_assets(assetkinds.names() if assets is None else assets)
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {"Sid": kind.sid, "Effect": "Allow", "Action": list(kind.actions), "Resource": "*"}
            for kind in declared
            if kind.name in chosen
        ],
    }


def assume_role_policy(role_arn: str) -> Policy:
    """The policy that lets an identity assume ``role_arn`` and no other role."""
    _check(role_arn)
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "AssumeSageMakerReaderRole",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": role_arn,
            }
        ],
    }


def sagemaker(role_arn: str | None = None, assets: tuple[str, ...] | None = None) -> PolicyAdvice:
    """Everything ``omkit policy sagemaker`` shows; raises ValueError for a malformed ARN or an
    unknown asset kind."""
    if role_arn is None:
        return PolicyAdvice(
            policy=sagemaker_policy(assets),
            notes=(
                "attach this policy to the user or role whose credentials the ingestion uses",
                SEARCH_NOTE,
            ),
        )
    notes = (
        f"attach this policy to the role {role_arn}: the ingestion calls SageMaker as that role",
        "the identity the ingestion starts with (access keys, profile or instance role) needs "
        "only the policy below, which allows sts:AssumeRole on this one role",
        "the role's trust policy must also allow that identity to call sts:AssumeRole",
        SEARCH_NOTE,
        "with assumeRoleSourceIdentity set, allow sts:SetSourceIdentity as well, in both "
        "the policy below and the role's trust policy",
    )
    return PolicyAdvice(
        policy=sagemaker_policy(assets),
        assume_role_policy=assume_role_policy(role_arn),
        notes=notes,
    )


def to_json(policy: Policy) -> str:
    """A policy as the JSON document IAM takes, indented, ending with a newline."""
    return json.dumps(policy, indent=2) + "\n"


def _check(role_arn: str) -> None:
    from omkit_sagemaker.scaffold import check_role_arn, quote_value

    problem = check_role_arn(role_arn)
    if problem:
        raise ValueError(f"role ARN {quote_value(role_arn)} {problem}")
