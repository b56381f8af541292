"""Many configs in one call (``omkit run PATH...``): check them all, then run them side by side.

1. Every config is checked first, as ``omkit run`` checks one; an invalid one gets its result
   (with its ``file:line:column`` errors) and the others go on.
2. Two valid configs that would write the same OpenMetadata service (the same ``hostPort`` and
   ``serviceName``) or the same file (``sink.config.filename``) are an error before anything
   runs: their runs would soft-delete each other's models, or overwrite each other's output.
3. The runs go on ``parallel`` threads. Each keeps its own worker pool, lowered so that all of
   them together have at most :data:`WORKER_BUDGET` models in flight.

Only the main thread of a process can use ``SIGALRM`` (the bound on ``mlModelFilterPattern``
matching) and receive signals, so while the runs work the main thread serves their matching
(:mod:`omkit_sagemaker.ingest.mainthread`) and takes SIGINT and SIGTERM: on either, every run
stops as one stopped by that signal stops (nothing soft-deleted), the runs not started yet are
not started, and the exit code is 128 + the signal's number.

Log lines of a run's own thread start with ``[config]`` so that lines of runs side by side can be
told apart; the ``loggerLevel`` of the most verbose config applies to all of them.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from omkit_sagemaker.ingest import checkedconfig, expand, mainthread, stopping
from omkit_sagemaker.ingest.checkedconfig import CheckedConfig
from omkit_sagemaker.ingest.expand import Base, Variant
from omkit_sagemaker.ingest.ingestrun import (
    LOG_LEVELS,
    Interrupted,
    Progress,
    RunOptions,
    RunResult,
    run,
)
from omkit_sagemaker.ingest.stopping import Cancel
from omkit_sagemaker.spec.models.workflow import Workflow

log = logging.getLogger("omkit.run")

#: Most models in flight over all the runs side by side (the ``--workers`` maximum).
WORKER_BUDGET = 64
#: ``--parallel`` default: configs run at the same time.
DEFAULT_PARALLEL = 4


@dataclass(frozen=True)
class Job:
    """One run to make: a config file, or a variant of one (``--region``, the Python API).

    ``path`` names the run in every message and its folder gives the settings; ``text`` is the
    config itself when it is not the file's content."""

    path: Path
    text: str | None = None
    #: Keep ``$VAR`` references as written (a dict from the Python API, as upstream does).
    no_env: bool = False
    #: A run of one combination of ``--region``/``--profile``/``--role-arn``: what it changes
    #: in the config ``base``, which was read and parsed once for all its variants.
    variant: Variant | None = None
    base: Base | None = None


class Hooks(Protocol):
    """What happens around one run (the Python API reports pipeline status with it)."""

    def begin(self) -> None:
        """The run starts (on its thread)."""

    def end(self, result: RunResult) -> None:
        """The run has ended (on its thread)."""


class _NoHooks:
    def begin(self) -> None:
        pass

    def end(self, result: RunResult) -> None:
        pass


@dataclass
class ManyResult:
    """The results of :func:`run_jobs`, in the order of the jobs."""

    results: list[RunResult] = field(default_factory=list)
    #: One line per pair of jobs that write the same service or file (then nothing ran).
    conflicts: list[str] = field(default_factory=list)
    duration: float = 0.0
    signal: int | None = None

    @property
    def exit_code(self) -> int:
        if self.conflicts:
            return 2
        if self.signal is not None:
            return 128 + self.signal
        return 1 if any(r.exit_code for r in self.results) else 0


def workers_each(workers: int, parallel: int, jobs: int) -> int:
    """The worker pool of each run: ``workers``, lowered so that the runs side by side stay
    within :data:`WORKER_BUDGET` together (at least 1)."""
    side_by_side = max(1, min(parallel, jobs))
    return max(1, min(workers, WORKER_BUDGET // side_by_side))


def _target(workflow: Workflow) -> tuple[str, str] | None:
    """What a run writes: ``("service", "<hostPort> <serviceName>")`` or ``("file", path)``."""
    sink = workflow.sink
    if sink.type == "metadata-rest":
        host = str(workflow.workflowConfig.openMetadataServerConfig.hostPort)
        return "service", f"{host.rstrip('/').lower()} {workflow.source.serviceName}"
    if sink.type == "file":
        filename = (sink.config or {}).get("filename")
        if isinstance(filename, str) and filename:
            return "file", str(Path(filename).expanduser().resolve())
    return None


def conflicts(loaded: Sequence[tuple[Job, Workflow]]) -> list[str]:
    """One line per job that writes what an earlier job writes."""
    seen: dict[tuple[str, str], Job] = {}
    configs = {
        str(job.path.resolve()): job
        for job, _ in loaded
        if job.text is None and job.variant is None
    }
    found: list[str] = []
    for job, workflow in loaded:
        target = _target(workflow)
        if target is None:
            continue
        kind, what = target
        if kind == "file" and what in configs:
            found.append(f"{job.path}: the file sink would overwrite {configs[what].path}")
        first = seen.setdefault(target, job)
        if first is job:
            continue
        if kind == "service":
            host, service = what.rsplit(" ", 1)
            found.append(
                f"{job.path}: writes the OpenMetadata service {service} at {host}, as "
                f"{first.path} does; each run soft-deletes the models the other wrote "
                "(give each config its own serviceName, or use --service-name-template)"
            )
        else:
            found.append(f"{job.path}: writes the file {what}, as {first.path} does")
    return found


class _Labels(logging.Filter):
    """Puts ``[config]`` before the log lines of each run's own thread."""

    def __init__(self) -> None:
        super().__init__()
        self.local = threading.local()

    def filter(self, record: logging.LogRecord) -> bool:
        label = getattr(self.local, "label", None)
        if label is not None:
            record.msg, record.args = f"[{label}] {record.getMessage()}", None
        return True


def run_jobs(
    jobs: Sequence[Job],
    options: RunOptions,
    *,
    parallel: int = DEFAULT_PARALLEL,
    hooks: Callable[[Job, RunOptions], Hooks] | None = None,
    progress: Callable[[Job], Progress] | None = None,
) -> ManyResult:
    """Check every job, then run the valid ones ``parallel`` at a time (see the module doc);
    never raises for a failed run. ``hooks`` gives each job what happens around its run
    (made on this thread, once the jobs are checked, in order); ``progress`` gives each run
    its progress display (default: none)."""
    started = time.monotonic()
    outcome = ManyResult()
    labels = _Labels()
    handlers = list(logging.getLogger("omkit").handlers)
    for handler in handlers:
        handler.addFilter(labels)
    try:
        _check_and_run(jobs, options, parallel, hooks, progress, labels, outcome)
    finally:
        for handler in handlers:
            handler.removeFilter(labels)
    outcome.duration = time.monotonic() - started
    return outcome


def _check_and_run(
    jobs: Sequence[Job],
    options: RunOptions,
    parallel: int,
    hooks: Callable[[Job, RunOptions], Hooks] | None,
    progress: Callable[[Job], Progress] | None,
    labels: _Labels,
    outcome: ManyResult,
) -> None:
    results: list[RunResult | None] = [None] * len(jobs)
    valid: list[tuple[int, Job, Workflow]] = []
    checks: dict[int, CheckedConfig] = {}  # each config read and checked once, for all below
    for index, job in enumerate(jobs):
        checked = checks[index] = check_job(job, options)
        if checked.workflow is None:  # invalid: the run reports why, without any network call
            labels.local.label = _label(job)
            try:
                job_options = _options_for(job, options, options.workers, None, checked)
                around = hooks(job, job_options) if hooks is not None else _NoHooks()
                around.begin()
                result = run(job.path, job_options)
                around.end(result)
            finally:
                labels.local.label = None
            results[index] = result
            continue
        valid.append((index, job, checked.workflow))
    outcome.conflicts = conflicts([(job, workflow) for _, job, workflow in valid])
    if outcome.conflicts:
        outcome.results = [r for r in results if r is not None]
        return
    if valid:
        levels = [LOG_LEVELS[w.workflowConfig.loggerLevel] for _, _, w in valid]
        logging.getLogger("omkit").setLevel(min(levels))
    each = workers_each(options.workers, parallel, len(valid))
    stopped: list[int] = []  # the signal, once one came
    cancel = Cancel()  # cuts the runs' OpenMetadata requests short once a signal came
    prepared: dict[int, tuple[RunOptions, Hooks]] = {}
    for index, job, _ in valid:
        job_options = _options_for(job, options, each, progress, checks[index])
        job_options.stop = lambda: stopped[0] if stopped else None
        prepared[id(job)] = (
            job_options,
            hooks(job, job_options) if hooks is not None else _NoHooks(),
        )

    def one(job: Job) -> RunResult:
        labels.local.label = _label(job)
        job_options, around = prepared[id(job)]
        try:
            if stopped:
                result = _not_started(job, stopped[0])
            else:
                around.begin()
                with stopping.cancelled_by(cancel):  # a signal stops the run's client at once
                    result = run(job.path, job_options)
                if stopped and result.signal is None and result.fatal is not None:
                    _was_stopped(result, stopped[0])  # it failed because it was stopped
            around.end(result)
            return result
        finally:
            labels.local.label = None

    futures = _run_side_by_side(valid, one, parallel, stopped, cancel)
    for (index, _, _), future in zip(valid, futures, strict=True):
        results[index] = future.result()
    outcome.results = [r for r in results if r is not None]
    outcome.signal = stopped[0] if stopped else None


def _label(job: Job) -> str:
    return str(job.path)


def _run_side_by_side(
    valid: Sequence[tuple[int, Job, Workflow]],
    one: Callable[[Job], RunResult],
    parallel: int,
    stopped: list[int],
    cancel: Cancel,
) -> list[Future[RunResult]]:
    """Run ``one`` for each job on a pool of ``parallel`` threads, while this (main) thread
    serves their main-thread calls and takes SIGINT/SIGTERM."""
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if main else None
    pool = ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix="omkit-run")
    try:
        if not main:  # no signals, no main-thread calls: just wait
            futures = [pool.submit(one, job) for _, job, _ in valid]
            for future in futures:
                future.exception()
            return futures
        with mainthread.serving() as server:
            futures = [pool.submit(one, job) for _, job, _ in valid]
            for future in futures:
                future.add_done_callback(lambda _: server.wake())
            while True:
                try:
                    server.serve(lambda: all(f.done() for f in futures))
                    return futures
                except KeyboardInterrupt as exc:  # SIGINT, or SIGTERM through _on_sigterm
                    number = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
                    if not stopped:
                        stopped.append(int(number))
                        name = signal.Signals(number).name
                        log.error("stopped by %s: the runs stop now", name)
                        cancel.cancel(f"stopped by {name}")
                except BaseException:  # a timeout of the caller's (Airflow's execution_timeout)
                    if not stopped:
                        stopped.append(int(signal.SIGTERM))
                    cancel.cancel("the runs were stopped")
                    server.serve(lambda: all(f.done() for f in futures))
                    raise
    finally:
        pool.shutdown(wait=True)
        if main:
            signal.signal(signal.SIGTERM, previous)


def _on_sigterm(signum: int, frame: object) -> None:
    raise Interrupted(signum)


def check_job(job: Job, options: RunOptions) -> CheckedConfig:
    """The one read and check of ``job``'s config, as its run would check it; a variant's is
    its base's tree, changed (parsed again only when it was loaded for another environment)."""
    environ = None if job.no_env else options.environ
    if job.variant is not None and job.base is not None:
        base = job.base
        if base.environ is not environ:
            base = expand.load_base(base.path, base.text, environ)
        loaded = expand.variant_of(base.loaded, job.variant)
        return checkedconfig.check_loaded(
            job.path, loaded, environ, disable=options.disable, enable=options.enable
        )
    return checkedconfig.check(
        job.path, environ, disable=options.disable, enable=options.enable, text=job.text
    )


def _options_for(
    job: Job,
    options: RunOptions,
    workers: int,
    progress: Callable[[Job], Progress] | None,
    checked: CheckedConfig | None = None,
) -> RunOptions:
    return replace(
        options,
        workers=workers,
        text=job.text,
        environ=None if job.no_env else options.environ,
        set_log_level=False,
        progress=progress(job) if progress is not None else Progress(),
        checked=checked,
    )


def _was_stopped(result: RunResult, signum: int) -> None:
    """A run that ended on an error once its clients were stopped by ``signum``: stopped."""
    result.signal = signum
    result.fatal = (
        f"stopped by {signal.Signals(signum).name}: the models not yet written were dropped "
        "and nothing was soft-deleted"
    )


def _not_started(job: Job, signum: int) -> RunResult:
    result = RunResult(file=str(job.path))
    result.signal = signum
    result.fatal = f"not started: stopped by {signal.Signals(signum).name}"
    return result
