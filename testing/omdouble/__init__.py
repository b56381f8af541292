"""A recording OpenMetadata REST server for the tests: a test double, not the product.

It speaks just enough of the OpenMetadata REST API (facts §6 and §11) for ``omkit run`` and
``omkit test-connection`` to be tested over real HTTP on 127.0.0.1: the version endpoint, the
SageMaker test-connection definition, ML model services, ML models (create/update, get, list with
``after`` cursors, soft/hard delete, the 2.0 bulk and deleteStale endpoints), classifications,
tags, the logged-in user, tables by name (seeded with ``seed_table``), containers by name
(``seed_container``), lineage edges
(``PUT /lineage``, kept in ``lineage``) and ingestion pipelines' run statuses. It keeps the
entities in memory, records every request, checks the bearer token (401 otherwise, like the real
server), rejects request bodies with unknown or missing keys and models whose fields have the
wrong shape (``server`` not a URL with a scheme, hyperparameter values that are not strings, ...;
400, like the server's schema check) and can be told to fail (``fail``) or to be slow
(``latency``). Like the real servers, a model's ``sourceHash`` (1-32 characters) is stored and
returned by a 2.x double and refused by an older one (its create request forbids unknown keys).

``fail`` is also the fault-injection switchboard of the reliability tests: besides an error
status it can reset the connection (``reset``), hang before answering (``hang``), cut the body
short (``truncate``), answer raw bytes of any content type (``raw``: non-JSON, HTML, junk, a huge
body), answer a made-up JSON body with any status (``body``: a 200 that is not an entity, a
listing whose cursor repeats or whose entries lack an ``id``), add ``Retry-After``, and let the
first ``skip`` matching requests through (a 401 in the middle of a run).

One module per concern: ``shapes`` (the request keys and field shapes the double accepts),
``faults`` (the ``fail`` switchboard), ``state`` (the recorded requests, settings and entity
maps), ``entities`` (the store and its ``seed_*`` helpers), ``endpoints`` (the routes, bulk,
deleteStale, lineage, pipeline statuses) and ``server`` (HTTP, recording, the fixture); the
names the tests use are all importable from ``testing.omdouble``.

Use the ``om_server`` fixture::

    def test_something(om_server: OMServer) -> None:
        om_server.fail("PUT", "/api/v1/mlmodels", status=500, times=2)
        ...  # run against om_server.url with om_server.token
        assert [r.path for r in om_server.requests] == [...]
"""

from __future__ import annotations

from testing.omdouble.faults import Failure, RawAnswer
from testing.omdouble.server import OMServer, om_server, sent_models
from testing.omdouble.shapes import quote_name
from testing.omdouble.state import Recorded

__all__ = [
    "Failure",
    "OMServer",
    "RawAnswer",
    "Recorded",
    "om_server",
    "quote_name",
    "sent_models",
]
