"""``omkit init sagemaker --regions a,b``: one ordinary config per region.

Each file is the one ``omkit init sagemaker --region R`` writes, with the service named as
``omkit run --region`` names it (``{serviceName}_{region}``, see
:mod:`omkit_sagemaker.ingest.expand`), so that the files and a ``--region`` run agree. The files
are ``NAME-REGION.SUFFIX`` beside ``--output NAME.SUFFIX`` (default ``sagemaker.yaml`` in the
current folder); a file sink's file gets ``_REGION`` as a ``--region`` run names it. Nothing
but standard keys is written: ``metadata ingest`` runs each file as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path, PurePath

from omkit_sagemaker.scaffold.options import SERVICE_NAME, Options, ScaffoldError, check_region
from omkit_sagemaker.scaffold.template import template_value

#: The file name the region is added to when ``--output`` is not given.
DEFAULT_OUTPUT = Path("sagemaker.yaml")


def region_files(
    options: Options, regions: Sequence[str], output: Path | None
) -> list[tuple[Path, Options]]:
    """The file and the options of each region. Raises :class:`ScaffoldError` for a region
    that is not a region code, a repeated one, or ``--region`` given too."""
    if options.region is not None:
        raise ScaffoldError("--region and --regions: give one of them")
    if not regions:
        raise ScaffoldError("--regions: no region given")
    seen: set[str] = set()
    for region in regions:
        problem = check_region(region)
        if problem is not None:
            raise ScaffoldError(f"--regions: {region!r} {problem}")
        if region in seen:
            raise ScaffoldError(f"--regions: {region} is given twice")
        seen.add(region)
    target = output or DEFAULT_OUTPUT
    base = options.service_name or str(template_value(SERVICE_NAME) or "sagemaker")
    return [
        (
            target.with_name(f"{target.stem}-{region}{target.suffix or '.yaml'}"),
            replace(
                options,
                region=region,
                service_name=f"{base}_{region}",
                sink_file=_region_file(options.sink_file, region),
            ),
        )
        for region in regions
    ]


def _region_file(name: str | None, region: str) -> str | None:
    """The file sink's file of a region's config: ``_REGION`` before the suffix, as
    ``omkit run --region`` names it (``models.json`` -> ``models_eu-west-1.json``)."""
    if name is None:
        return None
    path = PurePath(name)
    return str(path.with_name(f"{path.stem}_{region}{path.suffix}"))
