"""Writing configs for the user: ``omkit init`` (options, template filling; the CLI asks the
questions) and ``omkit policy``. May import omkit_sagemaker.check, .spec and .base; never .ingest
or the CLI.
"""

from __future__ import annotations

from omkit_sagemaker.scaffold.options import (
    ACCESS_KEY_ID as ACCESS_KEY_ID,
)
from omkit_sagemaker.scaffold.options import (
    DEFAULT_AUTH as DEFAULT_AUTH,
)
from omkit_sagemaker.scaffold.options import (
    ENDPOINT_URL as ENDPOINT_URL,
)
from omkit_sagemaker.scaffold.options import (
    EXCLUDES as EXCLUDES,
)
from omkit_sagemaker.scaffold.options import (
    HOST_PORT as HOST_PORT,
)
from omkit_sagemaker.scaffold.options import (
    INCLUDES as INCLUDES,
)
from omkit_sagemaker.scaffold.options import (
    JWT_TOKEN as JWT_TOKEN,
)
from omkit_sagemaker.scaffold.options import (
    MARK_DELETED as MARK_DELETED,
)
from omkit_sagemaker.scaffold.options import (
    PROFILE as PROFILE,
)
from omkit_sagemaker.scaffold.options import (
    REGION as REGION,
)
from omkit_sagemaker.scaffold.options import (
    ROLE_ARN as ROLE_ARN,
)
from omkit_sagemaker.scaffold.options import (
    SAGEMAKER as SAGEMAKER,
)
from omkit_sagemaker.scaffold.options import (
    SECRET_ACCESS_KEY as SECRET_ACCESS_KEY,
)
from omkit_sagemaker.scaffold.options import (
    SERVICE_NAME as SERVICE_NAME,
)
from omkit_sagemaker.scaffold.options import (
    SESSION_NAME as SESSION_NAME,
)
from omkit_sagemaker.scaffold.options import (
    SESSION_TOKEN as SESSION_TOKEN,
)
from omkit_sagemaker.scaffold.options import (
    SOURCE_IDENTITY as SOURCE_IDENTITY,
)
from omkit_sagemaker.scaffold.options import (
    Auth as Auth,
)
from omkit_sagemaker.scaffold.options import (
    KeyPath as KeyPath,
)
from omkit_sagemaker.scaffold.options import (
    Options as Options,
)
from omkit_sagemaker.scaffold.options import (
    Rendered as Rendered,
)
from omkit_sagemaker.scaffold.options import (
    ScaffoldError as ScaffoldError,
)
from omkit_sagemaker.scaffold.options import (
    TargetExistsError as TargetExistsError,
)
from omkit_sagemaker.scaffold.options import (
    Value as Value,
)
from omkit_sagemaker.scaffold.options import (
    check_host_port as check_host_port,
)
from omkit_sagemaker.scaffold.options import (
    check_name as check_name,
)
from omkit_sagemaker.scaffold.options import (
    check_options as check_options,
)
from omkit_sagemaker.scaffold.options import (
    check_regex as check_regex,
)
from omkit_sagemaker.scaffold.options import (
    check_region as check_region,
)
from omkit_sagemaker.scaffold.options import (
    check_role_arn as check_role_arn,
)
from omkit_sagemaker.scaffold.options import (
    check_url as check_url,
)
from omkit_sagemaker.scaffold.options import (
    quote_value as quote_value,
)
from omkit_sagemaker.scaffold.options import (
    resolve_auth as resolve_auth,
)
from omkit_sagemaker.scaffold.render import (
    Scaffold as Scaffold,
)
from omkit_sagemaker.scaffold.render import (
    literal_secrets as literal_secrets,
)
from omkit_sagemaker.scaffold.render import (
    plan as plan,
)
from omkit_sagemaker.scaffold.render import (
    render as render,
)
from omkit_sagemaker.scaffold.render import (
    scaffold as scaffold,
)
from omkit_sagemaker.scaffold.render import (
    write_file as write_file,
)
from omkit_sagemaker.scaffold.template import (
    connectors as connectors,
)
from omkit_sagemaker.scaffold.template import (
    fill as fill,
)
from omkit_sagemaker.scaffold.template import (
    key_paths as key_paths,
)
from omkit_sagemaker.scaffold.template import (
    template_path as template_path,
)
from omkit_sagemaker.scaffold.template import (
    template_text as template_text,
)
from omkit_sagemaker.scaffold.template import (
    template_value as template_value,
)
from omkit_sagemaker.scaffold.template import (
    toggle as toggle,
)
