"""A seeded generator of SageMaker workflow configs, each a valid seed with one mutation.

:func:`generate` yields ``(kind, text, env)``: the mutation kind (the row of the agreement table),
the YAML text and the environment the runner and omkit read it with. The seeds are valid configs
for the target release (1.1 or 2.0); each mutation changes one thing the way people get configs
wrong: a dropped or misspelt key, a value of the wrong type, an enum value in another spelling,
YAML 1.1 tokens, nulls, auth providers and sinks in every variant, ``${VAR}`` references set and
unset, keys of later releases. The same seed gives the same configs.
"""

from __future__ import annotations

import copy
import json
import random
import re
from collections.abc import Callable, Iterator
from typing import Any

from omkit_sagemaker.check.versions import Version

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJpbmdlc3Rpb24tYm90In0.c2lnbmF0dXJl"
#: The environment every config is read with (plus its mutation's own variables).
BASE_ENV: dict[str, str] = {}

Node = Any
Mutation = Callable[[random.Random, dict[str, Any], dict[str, str], Version], None]


class Raw(str):
    """A scalar written as is (a plain YAML token such as ``yes`` or ``0o17``)."""


def seeds(target: Version) -> list[dict[str, Any]]:
    """Valid configs for ``target``: a full one and a small one."""
    server: dict[str, Any] = {
        "hostPort": "http://127.0.0.1:8585/api",
        "authProvider": "openmetadata",
        "securityConfig": {"jwtToken": JWT},
    }
    full: dict[str, Any] = {
        "source": {
            "type": "sagemaker",
            "serviceName": "local_sagemaker",
            "serviceConnection": {
                "config": {
                    "type": "SageMaker",
                    "awsConfig": {
                        "awsAccessKeyId": "AKIAIOSFODNN7EXAMPLE",
                        "awsSecretAccessKey": "${OMKIT_DIFF_SECRET}",
                        "awsRegion": "us-east-2",
                        "endPointURL": "http://127.0.0.1:5000",
                        "assumeRoleSessionName": "OpenMetadataSession",
                    },
                }
            },
            "sourceConfig": {
                "config": {
                    "type": "MlModelMetadata",
                    "markDeletedMlModels": True,
                    "mlModelFilterPattern": {"includes": ["^prod-.*"], "excludes": ["^tmp-"]},
                }
            },
        },
        "sink": {"type": "metadata-rest", "config": {}},
        "workflowConfig": {"loggerLevel": "INFO", "openMetadataServerConfig": dict(server)},
    }
    small = copy.deepcopy(full)
    del small["source"]["sourceConfig"]["config"]["mlModelFilterPattern"]
    small["source"]["serviceConnection"]["config"]["awsConfig"] = {"awsRegion": "us-east-1"}
    del small["workflowConfig"]["loggerLevel"]
    if target >= (2, 0):
        full["sink"]["config"] = {"bulk_sink_batch_size": 50}
        full["workflowConfig"]["successThreshold"] = 90
        full["workflowConfig"]["raiseOnError"] = True
    return [full, small]


def env_for(config: dict[str, Any]) -> dict[str, str]:
    return {"OMKIT_DIFF_SECRET": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}


# -- the document's places -------------------------------------------------------------------


Path = tuple[Any, ...]


def places(node: Node, path: Path = ()) -> Iterator[tuple[Path, Node]]:
    """Every (path, value) below ``node``, the node itself first."""
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from places(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from places(value, (*path, index))


def get(node: Node, path: Path) -> Node:
    for part in path:
        node = node[part]
    return node


def put(node: Node, path: Path, value: Node) -> None:
    get(node, path[:-1])[path[-1]] = value


def _mappings(config: dict[str, Any]) -> list[Path]:
    return [p for p, v in places(config) if isinstance(v, dict)]


def _keyed(config: dict[str, Any]) -> list[Path]:
    return [p for p, _ in places(config) if p and isinstance(p[-1], str)]


def _scalars(config: dict[str, Any]) -> list[Path]:
    return [p for p, v in places(config) if p and not isinstance(v, dict | list)]


# -- mutations ---------------------------------------------------------------------------------


def drop_key(rng: random.Random, config: dict[str, Any], env: dict[str, str], _t: Version) -> None:
    path = rng.choice(_keyed(config))
    del get(config, path[:-1])[path[-1]]


def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(len(word))
    how = rng.choice(("drop", "swap", "case", "double"))
    if how == "drop" and len(word) > 2:
        return word[:i] + word[i + 1 :]
    if how == "swap" and i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if how == "case":
        return word[:i] + word[i].swapcase() + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def misspell_key(
    rng: random.Random, config: dict[str, Any], env: dict[str, str], _t: Version
) -> None:
    path = rng.choice(_keyed(config))
    parent = get(config, path[:-1])
    parent[_typo(rng, path[-1])] = parent.pop(path[-1])


def unknown_key(
    rng: random.Random, config: dict[str, Any], env: dict[str, str], _t: Version
) -> None:
    path = rng.choice(_mappings(config))
    get(config, path)[rng.choice(("extra", "comment", "enabled", "timeout"))] = rng.choice(
        ("x", 1, True, None)
    )


def wrong_type(
    rng: random.Random, config: dict[str, Any], env: dict[str, str], _t: Version
) -> None:
    path = rng.choice([p for p, _ in places(config) if p])
    put(config, path, rng.choice((7, 2.5, "text", ["a"], {"k": "v"}, True, "")))


def enum_value(
    rng: random.Random, config: dict[str, Any], env: dict[str, str], _t: Version
) -> None:
    choices = [
        (("source", "type"), ("SageMaker", "Sagemaker", "sage-maker", "mlflow", "SAGEMAKER")),
        (("source", "serviceConnection", "config", "type"), ("Sagemaker", "sagemaker", "Mlflow")),
        (
            ("source", "sourceConfig", "config", "type"),
            ("MlModel", "mlmodelmetadata", "DatabaseMetadata"),
        ),
        (("workflowConfig", "loggerLevel"), ("WARNING", "info", "WARN", "TRACE", "DEBUG")),
        (
            ("workflowConfig", "openMetadataServerConfig", "authProvider"),
            ("OpenMetadata", "jwt", "no-auth", "google"),
        ),
        (
            ("workflowConfig", "openMetadataServerConfig", "verifySSL"),
            ("none", "ignore", "validate"),
        ),
        (
            ("workflowConfig", "openMetadataServerConfig", "secretsManagerProvider"),
            ("noop", "db", "aws", "vault"),
        ),
        (("sink", "type"), ("metadata_rest", "file", "console", "Metadata-Rest")),
    ]
    path, values = rng.choice(choices)
    try:
        put(config, path, rng.choice(values))
    except (KeyError, TypeError):
        return


YAML11 = (
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "True",
    "FALSE",
    "0o17",
    "017",
    "1_000",
    "1:30",
    "2024-01-01",
    "0x1F",
    "1e3",
    "~",
    ".inf",
    "'true'",
    "'yes'",
    '"1000"',
    "0",
    "1",
)


def yaml11_token(
    rng: random.Random, config: dict[str, Any], env: dict[str, str], _t: Version
) -> None:
    candidates = [p for p in _scalars(config) if p[-1] != "type"]
    put(config, rng.choice(candidates), Raw(rng.choice(YAML11)))


OPTIONAL_NULLS = (
    ("source", "serviceConnection", "config", "awsConfig", "profileName"),
    ("source", "serviceConnection", "config", "awsConfig", "awsSessionToken"),
    ("source", "sourceConfig", "config", "markDeletedMlModels"),
    ("source", "sourceConfig", "config", "mlModelFilterPattern"),
    ("source", "sourceConfig", "config", "mlModelFilterPattern", "excludes"),
    ("workflowConfig", "config"),
    ("workflowConfig", "loggerLevel"),
    ("workflowConfig", "openMetadataServerConfig", "sslConfig"),
    ("workflowConfig", "openMetadataServerConfig", "verifySSL"),
    ("sink", "config"),
)


def null_value(
    rng: random.Random, config: dict[str, Any], env: dict[str, str], _t: Version
) -> None:
    if rng.random() < 0.5:
        path = rng.choice(OPTIONAL_NULLS)
    else:
        path = rng.choice([p for p, _ in places(config) if p])
    try:
        put(config, path, None)
    except (KeyError, TypeError):
        return


def quoted_scalar(
    rng: random.Random, config: dict[str, Any], env: dict[str, str], _t: Version
) -> None:
    fields = [
        (
            ("source", "sourceConfig", "config", "markDeletedMlModels"),
            ("'true'", "'false'", "'yes'", "0", "1"),
        ),
        (("source", "sourceConfig", "config", "limitRecords"), ("'1000'", "1.5", "-1", "0", "10")),
        (("source", "sourceConfig", "config", "includeTags"), ("'true'", "1")),
        (
            ("workflowConfig", "openMetadataServerConfig", "enableVersionValidation"),
            ("'false'", "0"),
        ),
        (("workflowConfig", "openMetadataServerConfig", "includeMlModels"), ("'true'", "1")),
        (("workflowConfig", "openMetadataServerConfig", "limitRecords"), ("'10'", "2.0")),
    ]
    path, values = rng.choice(fields)
    put(config, path, Raw(rng.choice(values)))


AUTH = (
    "no-auth",
    "basic",
    "openmetadata",
    "aws-cognito",
    "ldap",
    "saml",
    "google",
    "okta",
    "auth0",
    "azure",
    "custom-oidc",
)


def auth_variant(
    rng: random.Random, config: dict[str, Any], env: dict[str, str], _t: Version
) -> None:
    server = config["workflowConfig"]["openMetadataServerConfig"]
    server["authProvider"] = rng.choice(AUTH)
    security = rng.choice(
        (
            None,
            {"jwtToken": JWT},
            {"jwtToken": "${OMKIT_DIFF_JWT}"},
            {},
            {"secretKey": "/tmp/key.json", "audience": "https://example.com"},
            {
                "clientId": "c",
                "orgURL": "https://org.okta.com",
                "privateKey": "k",
                "email": "a@b.c",
            },
            {"clientId": "c", "secretKey": "s", "domain": "example.auth0.com"},
        )
    )
    if security is None:
        server.pop("securityConfig", None)
    else:
        server["securityConfig"] = security
    if rng.random() < 0.5:
        env["OMKIT_DIFF_JWT"] = JWT


def sink_variant(
    rng: random.Random, config: dict[str, Any], env: dict[str, str], _t: Version
) -> None:
    variants: list[dict[str, Any]] = [
        {"type": "metadata-rest"},
        {"type": "metadata-rest", "config": {}},
        {"type": "metadata-rest", "config": {"api_endpoint": "http://127.0.0.1:8585/api"}},
        {"type": "metadata-rest", "config": {"bulk_sink_batch_size": 10}},
        {"type": "metadata-rest", "config": {"batch_size": 10}},
        {"type": "metadata-rest", "config": []},
        {"type": "metadata-rest", "config": None},
        {"type": "file", "config": {"filename": "/tmp/omkit-diff-out.json"}},
        {"type": "file", "config": {"filename": 17}},
        {"type": "file", "config": {"filename": "/tmp/x.json", "mode": "w"}},
        {"type": "file", "config": {}},
        {"type": "file"},
    ]
    config["sink"] = copy.deepcopy(rng.choice(variants))


ENV_FIELDS = (
    ("source", "serviceConnection", "config", "awsConfig", "awsRegion"),
    ("source", "serviceConnection", "config", "awsConfig", "awsAccessKeyId"),
    ("source", "serviceConnection", "config", "awsConfig", "awsSecretAccessKey"),
    ("source", "serviceConnection", "config", "awsConfig", "endPointURL"),
    ("source", "serviceName"),
    ("source", "sourceConfig", "config", "markDeletedMlModels"),
    ("source", "sourceConfig", "config", "limitRecords"),
    ("workflowConfig", "loggerLevel"),
    ("workflowConfig", "openMetadataServerConfig", "hostPort"),
    ("workflowConfig", "openMetadataServerConfig", "securityConfig", "jwtToken"),
    ("workflowConfig", "openMetadataServerConfig", "enableVersionValidation"),
    ("workflowConfig", "openMetadataServerConfig", "authProvider"),
)
ENV_VALUES = {
    "awsRegion": "us-west-2",
    "awsAccessKeyId": "AKIAIOSFODNN7EXAMPLE",
    "awsSecretAccessKey": "abc/def",
    "endPointURL": "http://127.0.0.1:5000",
    "serviceName": "svc",
    "markDeletedMlModels": "false",
    "limitRecords": "100",
    "loggerLevel": "DEBUG",
    "hostPort": "http://127.0.0.1:8585/api",
    "jwtToken": JWT,
    "enableVersionValidation": "false",
    "authProvider": "openmetadata",
}


def env_reference(
    rng: random.Random, config: dict[str, Any], env: dict[str, str], _t: Version
) -> None:
    path = rng.choice(ENV_FIELDS)
    name = f"OMKIT_DIFF_{path[-1].upper()}"
    try:
        get(config, path[:-1])
    except (KeyError, TypeError):
        return
    put(config, path, rng.choice((f"${{{name}}}", f"${name}", "${}")))
    if rng.random() < 0.5:
        env[name] = ENV_VALUES[path[-1]]


LATER_KEYS = (
    (("source", "serviceConnection", "config", "awsConfig"), "enabled", True),
    (("source", "serviceConnection", "config"), "supportsMetadataExtraction", True),
    (("source", "sourceConfig", "config"), "overrideMetadata", False),
    (("source", "sourceConfig", "config"), "lineageInformation", {"dbServiceNames": ["db"]}),
    (
        ("source", "sourceConfig", "config"),
        "lineageInformation",
        {"dbServiceNames": ["db"], "x": 1},
    ),
    (("source", "sourceConfig", "config"), "overrideLineage", False),
    (("workflowConfig",), "successThreshold", 90),
    (("workflowConfig",), "raiseOnError", False),
    (("workflowConfig", "openMetadataServerConfig"), "storeServiceConnection", True),
    (("workflowConfig", "openMetadataServerConfig"), "sslConfig", {"caCertificate": "/tmp/ca.pem"}),
    (
        ("workflowConfig", "openMetadataServerConfig"),
        "sslConfig",
        {"certificatePath": "/tmp/ca.pem"},
    ),
    (("source", "serviceConnection", "config"), "mlModelFilterPattern", {"includes": ["a"]}),
    (("sink", "config"), "bulk_sink_batch_size", 10),
)


def later_key(rng: random.Random, config: dict[str, Any], env: dict[str, str], _t: Version) -> None:
    parent, key, value = rng.choice(LATER_KEYS)
    try:
        get(config, parent)[key] = copy.deepcopy(value)
    except (KeyError, TypeError):
        return


def step_variant(
    rng: random.Random, config: dict[str, Any], env: dict[str, str], _t: Version
) -> None:
    step = rng.choice(("processor", "stage", "bulkSink"))
    shipped = {"processor": "query-parser", "stage": "table-usage", "bulkSink": "metadata-usage"}
    config[step] = rng.choice(
        (
            {"type": "noop-processor", "config": {}},
            {"type": "noop"},
            {"type": "file", "config": {}},
            {"type": shipped[step], "config": {"filename": "/tmp/omkit-diff-usage"}},
            {"type": shipped[step]},
        )
    )


def no_connection(
    rng: random.Random, config: dict[str, Any], env: dict[str, str], _t: Version
) -> None:
    del config["source"]["serviceConnection"]
    if rng.random() < 0.3:
        del config["source"]["serviceName"]


MUTATIONS: dict[str, Mutation] = {
    "none": lambda rng, config, env, target: None,
    "drop-key": drop_key,
    "misspelt-key": misspell_key,
    "unknown-key": unknown_key,
    "wrong-type": wrong_type,
    "enum-value": enum_value,
    "yaml11-token": yaml11_token,
    "null": null_value,
    "quoted-scalar": quoted_scalar,
    "auth": auth_variant,
    "sink": sink_variant,
    "env-reference": env_reference,
    "later-key": later_key,
    "step": step_variant,
    "no-connection": no_connection,
}


def generate(seed: int, count: int, target: Version) -> Iterator[tuple[str, str, dict[str, str]]]:
    """``count`` configs for ``target``: ``(mutation kind, YAML text, environment)``."""
    rng = random.Random(seed)
    bases = seeds(target)
    kinds = sorted(MUTATIONS)
    for _ in range(count):
        config = copy.deepcopy(rng.choice(bases))
        env = dict(BASE_ENV) | env_for(config)
        kind = rng.choice(kinds)
        MUTATIONS[kind](rng, config, env, target)
        yield kind, emit(config), env


# -- YAML writing ------------------------------------------------------------------------------

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _scalar(value: Node) -> str:
    if isinstance(value, Raw):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dict) and not value:
        return "{}"
    if isinstance(value, list) and not value:
        return "[]"
    raise TypeError(f"cannot write {value!r}")


def _key(key: Any) -> str:
    return key if isinstance(key, str) and _PLAIN_KEY.match(key) else json.dumps(str(key))


def _block(node: Node, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, dict | list) and value:
                lines.append(f"{pad}{_key(key)}:")
                lines.extend(_block(value, indent + 2))
            else:
                lines.append(f"{pad}{_key(key)}: {_scalar(value)}")
    else:
        for value in node:
            if isinstance(value, dict | list) and value:
                inner = _block(value, indent + 2)
                inner[0] = f"{pad}- {inner[0][indent + 2 :]}"
                lines.extend(inner)
            else:
                lines.append(f"{pad}- {_scalar(value)}")
    return lines


def emit(config: dict[str, Any]) -> str:
    """``config`` as block-style YAML; :class:`Raw` scalars as written."""
    return "\n".join(_block(config, 0)) + "\n"
