"""The one declaration of the run options: what ``omkit run`` (the typer command),
:func:`omkit_sagemaker.run` / :func:`~omkit_sagemaker.api.run_many` and
:func:`omkit_sagemaker.airflow.ingestion_dag` accept. A new run option is one entry in
:data:`DECLARED`; each layer reads the entries it takes (``layers``) from here.

Each option has an API keyword (``name``) and, on the command line, a flag spelling (``flag``);
``negated`` flags (``--no-tags``) set their keyword to False. ``target`` says where the value goes:
``options`` (:class:`~omkit_sagemaker.ingest.workflow.RunOptions`, built by
:func:`omkit_sagemaker.api.options`), ``many`` (the expansion and fan-out of
:func:`~omkit_sagemaker.api.run_many`) or ``cli`` (the command's own output).

Imported lazily (not on the ``omkit validate`` path). May import nothing of omkit.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, NamedTuple

CLI, API, AIRFLOW = "cli", "api", "airflow"
EVERY = frozenset({CLI, API, AIRFLOW})
#: The help section of the command's options for many configs and regions.
MANY_PANEL = "Many configs, accounts and regions"


class RunOption(NamedTuple):
    """One run option, as every layer sees it."""

    #: The API keyword (and the command's parameter name).
    name: str
    #: The command-line type: ``bool``, ``int``, ``float``, ``str``, ``"str?"`` (optional
    #: string), ``"list"`` (repeatable, comma-separated) or ``"choice"`` (one of ``choices``).
    kind: Any
    default: Any
    help: str
    #: The command-line spelling(s), first the long one; empty for API-only options.
    flags: tuple[str, ...] = ()
    metavar: str | None = None
    layers: frozenset[str] = EVERY
    target: str = "options"
    minimum: float | None = None
    maximum: float | None = None
    panel: str | None = None
    #: The flag, given, sets the keyword to False (``--no-tags`` -> ``tags=False``).
    negated: bool = False
    choices: tuple[str, ...] = ()

    @property
    def cli_name(self) -> str:
        """The command's parameter name (``no_tags`` for ``--no-tags``)."""
        return self.flags[0].lstrip("-").replace("-", "_") if self.negated else self.name

    @property
    def cli_default(self) -> Any:
        return False if self.negated else self.default


_TIMEOUT_HELP = (
    "How long each call waits to connect and for an answer. An OpenMetadata call gives up after "
    "twice that, retries included: a run stops about 2 x SECONDS after the server goes silent. "
    "An AWS call is tried at most 5 times."
)

#: Every run option, in the order ``omkit run --help`` shows them.
DECLARED: tuple[RunOption, ...] = (
    RunOption("workers", int, 8, "Models described and written at the same time.",
              ("--workers",), minimum=1, maximum=64),
    RunOption("tags", bool, True, "Do not read or ingest the models' SageMaker tags.",
              ("--no-tags",), negated=True),
    RunOption("dry_run", bool, False,
              "Read SageMaker (and OpenMetadata when reachable) and show what would be created, "
              "updated and soft-deleted; write nothing.", ("--dry-run",)),
    RunOption("output_format", "choice", "text", "Summary as a text table or as JSON.",
              ("--format", "-f"), layers=frozenset({CLI}), target="cli", choices=("text", "json")),
    RunOption("disable", "list", (),
              "Turn these R codes (or Y005, Y009) off for this run, like ruff's --ignore.",
              ("--disable",), "CODE[,CODE]"),
    RunOption("enable", "list", (), "Turn codes back on that tool.omkit's disable turns off.",
              ("--enable",), "CODE[,CODE]"),
    RunOption("timeout", float, 10.0, _TIMEOUT_HELP, ("--timeout",), "SECONDS",
              minimum=0.1, maximum=600),
    RunOption("allow_mass_delete", bool, False,
              "Let markDeletedMlModels soft-delete more than 20% of the service's models.",
              ("--allow-mass-delete",)),
    RunOption("assets", "list", None,
              "SageMaker asset kinds to read: models (always), training-jobs (algorithm, "
              "hyperparameters, metrics), endpoints (server), registry (one model per package "
              "group), features (mlFeatures), lineage (opt-in: the processing jobs that wrote the "
              "training data). Default: all but lineage.", ("--assets",), "KIND[,KIND]"),
    RunOption("lineage_service", "str?", None,
              "Database service in OpenMetadata holding the feature groups' Glue tables: adds "
              "lineage from each table to the models trained on it.",
              ("--lineage-service",), "NAME"),
    RunOption("lineage_storage_service", "str?", None,
              "Storage service in OpenMetadata holding the S3 buckets of the training data (its "
              "S3 connector's containers): with --assets lineage, adds lineage from each "
              "container to the models trained on it.",
              ("--lineage-storage-service",), "NAME"),
    RunOption("parallel", int, 4, "Configs run at the same time.", ("--parallel",), "N",
              layers=frozenset({CLI, API}), target="many", minimum=1, maximum=64,
              panel=MANY_PANEL),
    RunOption("regions", "list", (),
              "Run each config once per region (awsRegion); the service name, and a file sink's "
              "file, get _REGION.", ("--region",), "R1,R2", target="many", panel=MANY_PANEL),
    RunOption("profiles", "list", (), "Run each config once per AWS profile (profileName).",
              ("--profile",), "P1,P2", target="many", panel=MANY_PANEL),
    RunOption("role_arns", "list", (),
              "Run each config once per IAM role to assume (assumeRoleArn).",
              ("--role-arn",), "A1,A2", target="many", panel=MANY_PANEL),
    RunOption("service_name_template", "str?", None,
              "Service name of each run, from the placeholders serviceName, region, profile, "
              "account and role in braces.", ("--service-name-template",), "T",
              target="many", panel=MANY_PANEL),
    RunOption("file_name_template", "str?", None,
              "With sink type file: the file of each run, from the same placeholders and stem "
              "and suffix (default: {stem}_{region}{suffix}, as the service name).",
              ("--file-name-template",), "T", target="many", panel=MANY_PANEL),
    RunOption("environ", Mapping, os.environ,
              "Where $VAR and ${VAR} are expanded from (None: no expansion).",
              layers=frozenset({API})),
    RunOption("progress", Any, None, "A Progress that the run tells how far it got.",
              layers=frozenset({API})),
)  # fmt: skip

BY_NAME: dict[str, RunOption] = {o.name: o for o in DECLARED}


def names(layer: str, target: str | None = None) -> list[str]:
    """The keywords ``layer`` accepts (those going to ``target`` only, when given)."""
    return [
        o.name for o in DECLARED if layer in o.layers and (target is None or o.target == target)
    ]


def split(given: Mapping[str, Any], layer: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``given``'s run options of ``layer`` (every declared one, defaults filled in) and the
    rest (keywords that are not run options of that layer), both by name."""
    chosen = {o.name: given.get(o.name, o.default) for o in DECLARED if layer in o.layers}
    rest = {k: v for k, v in given.items() if k not in chosen}
    return chosen, rest
