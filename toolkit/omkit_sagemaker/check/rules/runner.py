"""Rules about what ``metadata ingest`` refuses when it starts (R025-R028), found by running the
official 1.1.7.5 and 2.0.7.0 on every kind of config (tests/differential): the sink's settings
(each sink's config model forbids keys it does not know), the file sink, the processor, stage and
bulk-sink classes 1.x loads, and the auth providers each release can build."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from omkit_sagemaker.base.diagnostics import Severity
from omkit_sagemaker.check.loader import DataPath, Document
from omkit_sagemaker.check.rules.reading import MISSING, SERVER, lookup, lookup_text
from omkit_sagemaker.check.rules.rulebook import Finding, rule
from omkit_sagemaker.check.versions import Version

SINK: DataPath = ("sink", "config")
_TRUTHY = frozenset({"true", "false", "yes", "no", "on", "off", "1", "0", "t", "f", "y", "n"})


def _is_int(value: Any) -> bool:
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, str) and value.strip().lstrip("+-").isdigit()


def _is_bool(value: Any) -> bool:
    if isinstance(value, bool) or value in (0, 1):
        return True
    return isinstance(value, str) and value.strip().lower() in _TRUTHY


def _is_text(value: Any) -> bool:
    return value is None or isinstance(value, str)


#: The keys of each sink's config model, with a test of their value, by the release they join.
_REST_KEYS: dict[str, tuple[Version, Any]] = {
    "api_endpoint": ((1, 1), _is_text),
    "bulk_sink_batch_size": ((2, 0), _is_int),
    "enable_async_pipeline": ((2, 0), _is_bool),
    "async_pipeline_workers": ((2, 0), _is_int),
    "override_metadata": ((2, 0), _is_bool),
}


def _sink_keys(sink: str, target: Version) -> dict[str, Any]:
    if sink == "file":
        return {"filename": (lambda v: isinstance(v, str)) if target >= (2, 0) else _is_text}
    return {k: test for k, (since, test) in _REST_KEYS.items() if since <= target}


@rule(
    "R025",
    "sink-config",
    Severity.ERROR,
    "sink.config is missing, not a mapping, or holds a key or value the sink's config model "
    "refuses (metadata-rest and file forbid keys they do not know)",
    hint="write config: {} for metadata-rest, config: {filename: PATH} for file",
    bad="""
        sink:
          type: metadata-rest
          config:
            batch_size: 10
        """,
    good="""
        sink:
          type: metadata-rest
          config: {}
        """,
)
def _sink_config(document: Document, target: Version) -> Iterator[Finding]:
    sink = lookup_text(document, ("sink", "type"))
    if sink not in ("metadata-rest", "file"):
        return
    config = lookup(document, SINK)
    if sink == "file" and config is MISSING:
        return  # R019 says the file sink needs config.filename
    if config is MISSING or config is None:
        yield Finding(
            ("sink", "type") if config is MISSING else SINK,
            f"the {sink} sink has no config; metadata ingest passes none to its config model "
            "and stops",
        )
        return
    if isinstance(config, list) and not config and target < (2, 0):
        return  # 1.1 reads [] as {}
    if not isinstance(config, dict):
        yield Finding(SINK, "sink.config is not a mapping; the sink's config model refuses it")
        return
    allowed = _sink_keys(sink, target)
    for key, value in config.items():
        test = allowed.get(key) if isinstance(key, str) else None
        if test is None:
            known = ", ".join(sorted(allowed)) or "none"
            yield Finding(
                (*SINK, key),
                f"the {sink} sink's config has no key '{key}' in this release (it knows "
                f"{known}); metadata ingest refuses unknown keys there",
                at_key=True,
            )
        elif not test(value):
            yield Finding((*SINK, key), f"the {sink} sink refuses this value of {key}")


@rule(
    "R026",
    "file-sink-runner",
    Severity.WARNING,
    "metadata ingest cannot run a file sink: 1.1.7.5 writes the file, then fails when it closes it "
    "(exit 1 on every run); 2.0.7.0 refuses the file sink's config at start",
    hint="run this config with omkit run, which writes the file sink; or use metadata-rest",
    bad="""
        sink:
          type: file
          config:
            filename: /tmp/sagemaker-entities.json
        """,
    good="""
        sink:
          type: metadata-rest
          config: {}
        """,
)
def _file_sink_runner(document: Document, target: Version) -> Iterator[Finding]:
    if lookup_text(document, ("sink", "type")) != "file" or not lookup_text(
        document, (*SINK, "filename")
    ):
        return  # without a filename, R019 says what is wrong first
    if target >= (2, 0):
        how = "2.0.7.0 adds override_metadata to the file sink's config, which it refuses"
    else:
        how = "1.1.7.5 writes the file, then fails when it closes it (exit 1)"
    yield Finding(
        ("sink", "type"),
        f"metadata ingest cannot run the file sink: {how}; omkit run writes it",
    )


#: The one class of each step kind that the 1.x package ships, by its type key.
STEP_CLASSES = {"processor": "query-parser", "stage": "table-usage", "bulkSink": "metadata-usage"}


@rule(
    "R027",
    "workflow-step-class",
    Severity.ERROR,
    "a processor, stage or bulkSink names a class OpenMetadata 1.x does not ship: 1.x loads it "
    "before it starts (the package has only query-parser, table-usage and metadata-usage; "
    "noop-processor does not exist), and a SageMaker metadata run needs none",
    hint="remove the processor, stage and bulkSink sections",
    bad="""
        processor:
          type: noop-processor
          config: {}
        """,
    good="""
        sink:
          type: metadata-rest
          config: {}
        """,
)
def _step_class(document: Document, target: Version) -> Iterator[Finding]:
    if target >= (2, 0):
        return  # 2.0's metadata workflow ignores them
    for step, shipped in STEP_CLASSES.items():
        value = lookup(document, (step,))
        if value is MISSING:
            continue
        if isinstance(value, dict) and value.get("type") == shipped:
            if not _step_config_ok(step, value.get("config")):
                yield Finding(
                    (step,),
                    f"{step}: the config of {shipped} is refused by its config model (it wants "
                    + ("{}" if step == "processor" else "{filename: PATH} and nothing else")
                    + ")",
                    at_key=True,
                )
            continue
        yield Finding(
            (step,),
            f"{step}: metadata ingest {_release(target)} loads the class its type names, and "
            f"its only {step} is {shipped}, so it stops",
            at_key=True,
        )


def _step_config_ok(step: str, config: Any) -> bool:
    """What the config model of the shipped class accepts (pydantic 1, extra keys forbidden)."""
    if isinstance(config, list) and not config:
        config = {}  # pydantic 1 reads [] as {}
    if not isinstance(config, dict):
        return False
    if step == "processor":
        return not config
    filename = config.get("filename")
    return set(config) == {"filename"} and isinstance(filename, str | int | float)


def _release(target: Version) -> str:
    return f"{target[0]}.{target[1]}"


@rule(
    "R028",
    "auth-provider-runner",
    Severity.ERROR,
    "the auth provider cannot be built by that release: 1.1 has no aws-cognito provider; 2.0 reads "
    "securityConfig.jwtToken for every provider",
    hint="use authProvider: openmetadata with securityConfig.jwtToken (the bot's JWT)",
    bad="""
        workflowConfig:
          openMetadataServerConfig:
            hostPort: http://localhost:8585/api
            authProvider: aws-cognito
        """,
    good="""
        workflowConfig:
          openMetadataServerConfig:
            hostPort: http://localhost:8585/api
            authProvider: openmetadata
            securityConfig:
              jwtToken: ${OPENMETADATA_JWT_TOKEN}
        """,
)
def _auth_provider(document: Document, target: Version) -> Iterator[Finding]:
    provider = lookup_text(document, (*SERVER, "authProvider"))
    if provider is None:
        return
    if target < (2, 0):
        if provider == "aws-cognito":
            yield Finding(
                (*SERVER, "authProvider"),
                "metadata ingest 1.1 has no aws-cognito auth provider and stops",
            )
        return
    security = lookup(document, (*SERVER, "securityConfig"))
    if not isinstance(security, dict) or "jwtToken" not in security:
        yield Finding(
            (*SERVER, "authProvider"),
            f"metadata ingest 2.0 reads securityConfig.jwtToken for authProvider {provider}, "
            "and there is none",
        )


@rule(
    "R029",
    "verify-ssl-without-config",
    Severity.ERROR,
    "verifySSL is validate but there is no sslConfig: metadata ingest builds its HTTP client with "
    "the CA certificate of sslConfig and stops without one",
    hint="add sslConfig with the CA certificate path, or set verifySSL: no-ssl for plain http",
    bad="""
        workflowConfig:
          openMetadataServerConfig:
            hostPort: https://openmetadata.example.com/api
            verifySSL: validate
        """,
    good="""
        workflowConfig:
          openMetadataServerConfig:
            hostPort: https://openmetadata.example.com/api
            verifySSL: validate
            sslConfig:
              certificatePath: /etc/ssl/certs/openmetadata-ca.pem
        """,
)
def _verify_ssl_config(document: Document, target: Version) -> Iterator[Finding]:
    if lookup_text(document, (*SERVER, "verifySSL")) != "validate":
        return
    if isinstance(lookup(document, (*SERVER, "sslConfig")), dict):
        return
    yield Finding(
        (*SERVER, "verifySSL"),
        "verifySSL is validate without an sslConfig; metadata ingest stops before it connects",
    )


LINEAGE: DataPath = ("source", "sourceConfig", "config", "lineageInformation")
#: The keys of lineageInformation (spec/metadataIngestion/mlmodelServiceMetadataPipeline.json).
LINEAGE_KEYS = ("dbServicePrefixes",)


@rule(
    "R031",
    "ignored-lineage-key",
    Severity.WARNING,
    "lineageInformation holds a key it does not have; metadata ingest 2.0 ignores it (a misspelt "
    "dbServicePrefixes is never read)",
    hint="the one key of lineageInformation is dbServicePrefixes",
    bad="""
        source:
          sourceConfig:
            config:
              type: MlModelMetadata
              lineageInformation:
                dbServiceNames: [mysql_prod]
        """,
    good="""
        source:
          sourceConfig:
            config:
              type: MlModelMetadata
              lineageInformation:
                dbServicePrefixes: [mysql_prod]
        """,
)
def _ignored_lineage_key(document: Document, target: Version) -> Iterator[Finding]:
    lineage = lookup(document, LINEAGE)  # (before 1.10 lineageInformation itself is S010)
    if not isinstance(lineage, dict):
        return
    for key in lineage:
        if isinstance(key, str) and key not in LINEAGE_KEYS:
            close = difflib.get_close_matches(key, LINEAGE_KEYS, n=1, cutoff=0.6)
            mean = f"; did you mean '{close[0]}'?" if close else ""
            yield Finding(
                (*LINEAGE, key),
                f"lineageInformation has no key '{key}'; metadata ingest ignores it{mean}",
                at_key=True,
            )
