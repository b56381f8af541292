"""Apache Airflow: a DAG factory over the Python API (``pip install 'omkit-sagemaker[airflow]'``).

:func:`ingestion_dag` builds one DAG with two tasks:

- ``validate`` finds the configs (a path, a directory, a glob pattern, or a list of them, read
  when the DAG runs, so a config added to the folder is picked up by the next run), checks every
  one, expands ``regions``/``profiles``/``role_arns`` as ``omkit run`` does, and refuses two runs
  that write the same OpenMetadata service or file. It fails at once (never retried) when no
  config is found or two runs collide. Its result is the list of runs.
- ``run`` is mapped over that list with ``.expand()``: one task instance per run, spread by
  Airflow's own executor (Local, Celery, Kubernetes). Each pushes its summary (``omkit run
  --format json``'s document) to XCom, as its return value on success and under the key
  ``summary`` always, and fails when the run failed. An invalid config fails its task at once
  and is not retried (``AirflowFailException``); any other failure (a server that cannot be
  reached, models that could not be written) is retried ``retries`` times with a growing delay,
  since those are usually passing. With ``ingestionPipelineFQN`` in a config, OpenMetadata shows
  each run as ``queued`` (after ``validate``), then ``running`` and its end state.

Defaults from omkit's own knowledge: every AWS and OpenMetadata call is bounded by ``timeout``
(10 s) and retried inside the run, so a task that still fails is retried 2 times, 2 minutes
apart and then longer (up to 30 minutes); a run has ``run_timeout`` (2 hours) to finish and the
validate task 5 minutes (it reads only files). Runs of one DAG never overlap
(``max_active_runs=1``): two runs writing one service would soft-delete each other's models.

May import ``api`` and every layer below it; nothing in omkit imports it. Airflow itself is
imported only when a DAG is built.
"""

from __future__ import annotations

import glob
import inspect
import os
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

#: Retries of a run task that failed for another reason than an invalid config.
RETRIES = 2
RETRY_DELAY = timedelta(minutes=2)
MAX_RETRY_DELAY = timedelta(minutes=30)
#: The longest a run task may take (each call inside is bounded by ``timeout`` too).
RUN_TIMEOUT = timedelta(hours=2)
VALIDATE_TIMEOUT = timedelta(minutes=5)
#: When a DAG without ``start_date`` starts being scheduled.
START = datetime(2024, 1, 1, tzinfo=timezone.utc)
_GLOB = set("*?[")


def find_configs(configs: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> list[str]:
    """The paths ``configs`` stands for: each a file, a directory (searched as ``omkit validate``
    searches one) or a glob pattern (``**`` included), in order, each once."""
    items = [configs] if isinstance(configs, (str, os.PathLike)) else list(configs)
    out: list[str] = []
    for item in items:
        text = os.fspath(item)
        matches = sorted(glob.glob(text, recursive=True)) if _GLOB & set(text) else [text]
        out.extend(m for m in matches if m not in out)
    return out


def plan_runs(
    configs: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    regions: Sequence[str] = (),
    profiles: Sequence[str] = (),
    role_arns: Sequence[str] = (),
    service_name_template: str | None = None,
    file_name_template: str | None = None,
    environ: Mapping[str, str] | None = None,
    report_queued: bool = True,
) -> list[dict[str, Any]]:
    """What the ``validate`` task does, as an ordinary function: the runs to make, each as a
    small dict for XCom (``name``, ``path``, ``region``, ``profile``, ``role_arn``; never a
    secret). Raises ``ValueError`` when nothing can run (no config, a bad list, two runs that
    write the same service or file); an invalid config is kept (its run task fails at once)."""
    from omkit_sagemaker import api
    from omkit_sagemaker.ingest import multirun

    paths = find_configs(configs)
    if not paths:
        raise ValueError(f"no config matches {configs!r}")
    env = os.environ if environ is None else environ
    templates: dict[str, str | None] = {}
    if regions or profiles or role_arns:
        templates = {
            "service_name_template": service_name_template,
            "file_name_template": file_name_template,
        }
    # directories searched, each config read and parsed once for all its variants
    jobs = api.jobs_of(
        paths, regions=regions, profiles=profiles, role_arns=role_arns, environ=env, **templates
    )
    runs: list[dict[str, Any]] = []
    checked: list[tuple[multirun.Job, Any]] = []
    options = api.options(environ=env)
    for job in jobs:
        workflow, run_id = _check_variant(job, options, report_queued)
        if workflow is not None:
            checked.append((job, workflow))
        variant = job.variant
        runs.append(
            {
                "name": str(job.path),
                "path": str(job.base.path if job.base is not None else job.path),
                "region": variant.region if variant is not None and regions else None,
                "profile": variant.profile if variant is not None and profiles else None,
                "role_arn": variant.role_arn if variant is not None and role_arns else None,
                "valid": workflow is not None,
                "pipeline_run_id": run_id,
            }
        )
    clashes = multirun.conflicts(checked)
    if clashes:
        raise ValueError("; ".join(clashes))
    return runs


def _check_variant(job: Any, options: Any, report_queued: bool) -> tuple[Any, str | None]:
    """The workflow of one planned run (None: invalid; its run task says why, with no retry)
    and the ``runId`` it was reported ``queued`` under (None: not reported). The config is
    read and checked once, for the conflict check and the status alike."""
    from omkit_sagemaker.ingest import multirun, pipelinestatus

    job_options = _with_text(options, job.text)
    check = multirun.check_job(job, job_options)  # a variant: its config's tree, not parsed again
    workflow = check.workflow
    if workflow is None or not (report_queued and workflow.ingestionPipelineFQN):
        return workflow, None
    reporter = pipelinestatus.Reporter.for_config(
        job.path, _with_text(job_options, job.text, check)
    )
    reporter.put("queued")
    return workflow, reporter.run_id  # the run task reports under the same runId


def _with_text(options: Any, text: str | None, checked: Any = None) -> Any:
    from dataclasses import replace

    return replace(options, text=text, checked=checked)


def run_one(
    planned: Mapping[str, Any],
    *,
    service_name_template: str | None = None,
    run_options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What one mapped ``run`` task does, as an ordinary function: the run's summary document.
    ``run_options`` are run options of the declaration (``api.runoptions``, those Airflow
    takes); its ``regions``, ``profiles`` and ``role_arns`` give way to the planned run's own.
    Raises :class:`InvalidConfig` for a config that is not valid (not worth a retry) and
    :class:`RunFailed` for a run that failed otherwise; both carry the summary."""
    from omkit_sagemaker import api
    from omkit_sagemaker.api import report

    def listed(key: str) -> list[str]:
        value = planned.get(key)
        return [str(value)] if value else []

    given = dict(run_options or {})
    if service_name_template is not None:
        given["service_name_template"] = service_name_template
    given.update(regions=listed("region"), profiles=listed("profile"), role_arns=listed("role_arn"))
    many = api.run_many(
        [str(planned["path"])],
        parallel=1,
        pipeline_run_id=planned.get("pipeline_run_id"),
        **given,
    )
    if many.usage_error is not None or not many.runs:
        raise InvalidConfig(many.usage_error or "nothing to run", {"success": False})
    summary = many.runs[0]
    document = summary.to_dict()
    if summary.config_errors:
        lines = "\n".join(str(p) for p in summary.config_errors)
        raise InvalidConfig(f"{summary.config}: the config is not valid:\n{lines}", document)
    if not summary.success:
        detail = summary.fatal or f"{summary.errors} errors"
        shown = report.render_text(many)
        raise RunFailed(f"{summary.config}: the run failed: {detail}\n{shown}", document)
    return document


class RunFailed(Exception):
    """A run that failed (retried by Airflow); ``summary`` is its document."""

    def __init__(self, message: str, summary: dict[str, Any]) -> None:
        super().__init__(message)
        self.summary = summary


class InvalidConfig(RunFailed):
    """A config that is not valid: failing again would not help."""


def dag_options(kwargs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """:func:`ingestion_dag`'s keyword arguments split into the run options (every one of
    ``api.runoptions`` that Airflow takes, defaults filled in) and the rest (Airflow's ``DAG``)."""
    from omkit_sagemaker.api import runoptions

    chosen, rest = runoptions.split(kwargs, runoptions.AIRFLOW)
    for name, value in chosen.items():  # lists as lists (XCom and the task's arguments)
        if isinstance(value, tuple):
            chosen[name] = list(value)
    return chosen, rest


def ingestion_dag(
    dag_id: str,
    configs: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    schedule: Any = None,
    *,
    start_date: datetime | None = None,
    retries: int = RETRIES,
    retry_delay: timedelta = RETRY_DELAY,
    run_timeout: timedelta = RUN_TIMEOUT,
    **kwargs: Any,
) -> Any:
    """One DAG that validates ``configs`` and runs each (see the module doc). ``schedule`` is
    Airflow's (``"@daily"``, a cron string, None for manual runs); the run options are those of
    ``omkit run`` (declared in :mod:`omkit_sagemaker.api.runoptions`: ``regions``, ``profiles``,
    ``role_arns``, ``service_name_template``, ``file_name_template``, ``workers``, ``timeout``,
    ``dry_run``, ``tags``, ``assets``, ``lineage_service``, ``allow_mass_delete``, ``disable``,
    ``enable``); other keyword arguments go to Airflow's ``DAG``."""
    from airflow.sdk import DAG, get_current_context, task

    try:
        from airflow.sdk.exceptions import AirflowFailException
    except ImportError:  # older 3.x releases
        from airflow.exceptions import AirflowFailException  # type: ignore[no-redef]

    run_options, dag_kwargs = dag_options(kwargs)
    dag_kwargs.setdefault("catchup", False)
    dag_kwargs.setdefault("max_active_runs", 1)
    dag_kwargs.setdefault("tags", ["omkit", "sagemaker"])
    with DAG(dag_id, schedule=schedule, start_date=start_date or START, **dag_kwargs) as dag:

        @task(task_id="validate", retries=0, execution_timeout=VALIDATE_TIMEOUT)
        def validate_configs() -> list[dict[str, Any]]:
            try:
                return plan_runs(
                    configs,
                    regions=run_options["regions"],
                    profiles=run_options["profiles"],
                    role_arns=run_options["role_arns"],
                    service_name_template=run_options["service_name_template"],
                    file_name_template=run_options["file_name_template"],
                )
            except ValueError as exc:
                raise AirflowFailException(str(exc)) from None

        @task(
            task_id="run",
            retries=retries,
            retry_delay=retry_delay,
            retry_exponential_backoff=True,
            max_retry_delay=MAX_RETRY_DELAY,
            execution_timeout=run_timeout,
        )
        def run_config(planned: dict[str, Any]) -> dict[str, Any]:
            ti = get_current_context()["ti"]
            try:
                document = run_one(planned, run_options=run_options)
            except InvalidConfig as exc:
                ti.xcom_push(key="summary", value=exc.summary)
                raise AirflowFailException(str(exc)) from None
            except RunFailed as exc:
                ti.xcom_push(key="summary", value=exc.summary)
                raise
            ti.xcom_push(key="summary", value=document)
            return document

        run_config.expand(planned=validate_configs())
    return dag


def _declared_signature() -> inspect.Signature:
    """:func:`ingestion_dag`'s signature with every run option Airflow takes named (its
    ``**kwargs`` hides them from ``help()`` and editors otherwise)."""
    from omkit_sagemaker.api import runoptions

    params = list(inspect.signature(ingestion_dag).parameters.values())
    declared = [
        inspect.Parameter(o.name, inspect.Parameter.KEYWORD_ONLY, default=o.default)
        for o in runoptions.DECLARED
        if runoptions.AIRFLOW in o.layers
    ]
    return inspect.Signature(params[:-1] + declared + params[-1:])


ingestion_dag.__signature__ = _declared_signature()  # type: ignore[attr-defined]
