"""The ``endpoints`` kind: the endpoints serving each model
(:class:`omkit_sagemaker.ingest.sources.endpointindex.EndpointIndex`, read before the models,
``workers`` calls at a time). A model's request lists them, and gets their tags after its own.

``test-connection --assets endpoints``: ``ListEndpoints`` (one result).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from omkit_sagemaker import assetkinds
from omkit_sagemaker.ingest.kinds.assetkind import AssetKind, RunAssets
from omkit_sagemaker.ingest.mapping import ModelRequest, tag_requests
from omkit_sagemaker.ingest.sources.answers import AssetDenied
from omkit_sagemaker.ingest.sources.endpointindex import EndpointIndex, Serving
from omkit_sagemaker.ingest.sources.sagemaker import aws_error
from omkit_sagemaker.ingest.sources.training import TrainingJob


class Endpoints(AssetKind):
    """The endpoints serving each model."""

    declared = assetkinds.ENDPOINTS
    probe_action = "sagemaker:ListEndpoints"

    def probe(self, client: Any) -> str:
        page = client.list_endpoints(MaxResults=1)
        more = "+" if page.get("NextToken") else ""
        return f"sagemaker:ListEndpoints allowed ({len(page.get('Endpoints') or [])}{more} seen)"

    def read(self, assets: RunAssets) -> None:
        index = EndpointIndex(
            assets.client, assets.region, workers=assets.workers, tags=assets.tags
        )
        try:
            read = index.read()
        except AssetDenied as exc:
            assets.denied(exc)
        except Exception as exc:
            assets.status.warn(
                "endpoints",
                f"ListEndpoints failed: {aws_error(exc)}; the models are ingested without "
                "their endpoints",
            )
        else:
            assets.read[self.declared.name] = read
            assets.servings = read.servings
        for subject, message in index.problems:
            assets.status.warn(f"endpoint {subject}", message)

    def enrich(
        self, assets: RunAssets, request: ModelRequest, job: TrainingJob | None
    ) -> ModelRequest:
        if request.kind != assetkinds.MODELS.name:
            return request
        return with_endpoint_tags(request, assets.servings(request.name))


def with_endpoint_tags(request: ModelRequest, servings: tuple[Serving, ...]) -> ModelRequest:
    """``request`` with the tags of the endpoints serving it added after its own (by the same
    rules, :func:`mapping.tag_requests`; a tag it has already is not repeated)."""
    extra = [tag for serving in servings for tag in serving.tags]
    if not extra:
        return request
    known = {tag.fqn for tag in request.tags}
    added = tuple(t for t in tag_requests(extra) if t.fqn not in known)
    if not added:
        return request
    body = dict(request.request)
    body["tags"] = [*body.get("tags", []), *(t.label() for t in added)]
    return replace(request, tags=(*request.tags, *added), request=body)


KIND = Endpoints()
