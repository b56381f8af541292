"""What a config argument of the Python API is, and the runs it makes.

A config is a path (``str`` or :class:`~pathlib.Path`), the text of a YAML document (a ``str``
with a line break, or one that starts with ``{``) or a ``dict`` (what ``yaml.safe_load`` gives):
:func:`job_of` tells them apart and makes one :class:`~omkit_sagemaker.ingest.multirun.Job` of
each (a ``dict`` is written as YAML text, its ``$VAR`` references kept as upstream's
``MetadataWorkflow.create(dict)`` keeps them). :func:`jobs_of` makes the runs of many: directories
searched for workflow configs, each config expanded by the ``--region``, ``--profile`` and
``--role-arn`` lists. Importable from :mod:`omkit_sagemaker.api`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

if TYPE_CHECKING:
    from omkit_sagemaker.ingest.multirun import Job

#: What :func:`run` takes: a path, YAML text or a dict.
Config = Union[str, "os.PathLike[str]", Mapping[str, Any]]

#: Names given to configs that are not files (messages say ``<dict>:12:5``); relative, so the
#: settings of the current directory apply and no made-up path under it is shown.
DICT_NAME = "<dict>"
TEXT_NAME = "<yaml>"


class ConfigError(ValueError):
    """A config argument that is none of the three kinds (a usage error)."""


def job_of(config: Config, index: int = 0) -> Job:
    """The run of one config argument (see the module doc)."""
    from omkit_sagemaker.ingest.multirun import Job

    suffix = f"#{index + 1}" if index else ""
    if isinstance(config, Mapping):
        import yaml

        from omkit_sagemaker.check.loader import MAX_DEPTH

        if too_deep(config, MAX_DEPTH):
            raise ConfigError(f"the config dict is nested more than {MAX_DEPTH} levels deep")
        try:
            text = yaml.safe_dump(dict(config), sort_keys=False, allow_unicode=True)
        except yaml.YAMLError as exc:
            raise ConfigError(f"the config dict cannot be written as YAML: {exc}") from None
        return Job(Path(f"{DICT_NAME}{suffix}"), text, no_env=True)
    if isinstance(config, str) and ("\n" in config or config.lstrip().startswith("{")):
        return Job(Path(f"{TEXT_NAME}{suffix}"), config)
    if isinstance(config, (str, os.PathLike)):
        return Job(Path(os.fspath(config)))
    raise ConfigError(f"a config is a path, YAML text or a dict, not {type(config).__name__}")


def too_deep(value: object, limit: int) -> bool:
    """True when ``value`` holds dicts and lists nested more than ``limit`` deep (counted
    without recursion; a dict or list met twice, or a cycle, is followed once)."""
    seen: set[int] = set()
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, (Mapping, list, tuple)) or id(item) in seen:
            continue
        if depth > limit:
            return True
        seen.add(id(item))
        children = item.values() if isinstance(item, Mapping) else item
        stack.extend(reversed([(child, depth + 1) for child in children]))  # in order
    return False


def jobs_of(
    configs: Sequence[Config],
    *,
    regions: Sequence[str] = (),
    profiles: Sequence[str] = (),
    role_arns: Sequence[str] = (),
    service_name_template: str | None = None,
    file_name_template: str | None = None,
    environ: Mapping[str, str] | None = os.environ,
) -> list[Job]:
    """The runs of ``configs``: directories searched for workflow configs (as ``omkit
    validate`` searches them), each config expanded by the lists (read and parsed once, with
    ``$VAR`` expanded from ``environ``, as the runs will take it). Raises ``ValueError``
    (:class:`~omkit_sagemaker.check.discovery.UsageError` and
    :class:`~omkit_sagemaker.ingest.expand.ExpandError` among them)."""
    from omkit_sagemaker.check import discovery
    from omkit_sagemaker.ingest import expand
    from omkit_sagemaker.ingest.multirun import Job

    if not configs:
        raise ConfigError("no config given")
    jobs: list[Job] = []
    paths: list[str | Path] = []
    for index, config in enumerate(configs):
        job = job_of(config, index)
        if job.text is None:
            paths.append(job.path)
        else:
            jobs.append(job)
    try:
        found = discovery.collect(paths) if paths else discovery.Found()
    except discovery.UsageError as exc:
        raise ConfigError(str(exc)) from None
    if paths and not found.files:
        where = ", ".join(str(p) for p in paths)
        raise ConfigError(f"no workflow config to run in {where}")
    jobs = [Job(p) for p in found.files] + jobs
    if not (regions or profiles or role_arns):
        for given, option in (
            (service_name_template, "--service-name-template"),
            (file_name_template, "--file-name-template"),
        ):
            if given is not None:
                raise ConfigError(f"{option} needs --region, --profile or --role-arn")
        return jobs
    expanded: list[Job] = []
    for job in jobs:  # each config read and parsed once, for all its variants
        base = expand.load_base(job.path, job.text, None if job.no_env else environ)
        for variant in expand.plan(
            job.path,
            base.data,
            regions=regions,
            profiles=profiles,
            role_arns=role_arns,
            template=service_name_template,
            file_template=file_name_template,
        ):
            expanded.append(Job(variant.path, no_env=job.no_env, variant=variant, base=base))
    return expanded
