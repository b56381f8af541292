"""A base config and where to add the keys of each release, for the tests of version-aware
validation (``check/versions.py``, ``check/releasemap.py``): ``config`` adds lines at a named
place, ``check`` and ``codes`` run the whole check for a target release."""

from __future__ import annotations

from omkit_sagemaker.base.diagnostics import Diagnostic
from omkit_sagemaker.check.loader import load_text
from omkit_sagemaker.check.settings import Settings
from omkit_sagemaker.check.validate import check_document
from omkit_sagemaker.check.versions import Version

from testing.samples import SAMPLE_ENV

BASE = """\
source:
  type: sagemaker
  serviceName: local_sagemaker
  serviceConnection:
    config:
      type: SageMaker
      awsConfig:
        awsRegion: us-east-2
  sourceConfig:
    config:
      type: MlModelMetadata
sink:
  type: metadata-rest
  config: {}
workflowConfig:
  openMetadataServerConfig:
    hostPort: http://localhost:8585/api
    authProvider: openmetadata
    securityConfig:
      jwtToken: ${OPENMETADATA_JWT_TOKEN}
"""


#: Where each kind of addition goes: the line after which it is inserted, and its indentation.
ANCHORS = {
    "root": ("workflowConfig:", ""),
    "aws": ("        awsRegion: us-east-2", "        "),
    "connection": ("      type: SageMaker", "      "),
    "pipeline": ("      type: MlModelMetadata", "      "),
    "workflow": ("workflowConfig:", "  "),
    "server": ("    hostPort: http://localhost:8585/api", "    "),
}


def config(where: str = "", *lines: str) -> str:
    if not where:
        return BASE
    anchor, indent = ANCHORS[where]
    added = "".join(f"{indent}{line}\n" for line in lines)
    if where == "root":
        return BASE.replace(anchor, added + anchor, 1)
    return BASE.replace(anchor + "\n", anchor + "\n" + added, 1)


def check(text: str, target: Version) -> list[Diagnostic]:
    loaded = load_text(text, "config.yaml", environ=SAMPLE_ENV)
    assert loaded.document is not None, loaded.diagnostics
    return check_document(loaded.document, Settings(target=target))


def codes(text: str, target: Version) -> list[str]:
    return [d.code for d in check(text, target)]
