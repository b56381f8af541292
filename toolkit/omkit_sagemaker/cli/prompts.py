"""The questions ``omkit init sagemaker`` asks on a terminal for the values it was not given.

Part of the CLI (:mod:`omkit_sagemaker.scaffold` never prints), in a module of its own so that
the command stays a thin shell. Prompts go to stderr: stdout may be the config itself
(``omkit init sagemaker > sm.yaml``). Each answer is checked with the same function the library
uses and asked again until it passes; the defaults shown are the template's own values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from rich.console import Console
from rich.prompt import Confirm, Prompt

from omkit_sagemaker import scaffold

Check = Callable[[str], "str | None"]


def _ask(console: Console, question: str, default: str | None, check: Check) -> str:
    while True:
        if default is None:
            answer = Prompt.ask(question, console=console)
        else:
            answer = Prompt.ask(question, console=console, default=default)
        answer = answer.strip()
        problem = check(answer)
        if problem is None:
            return answer
        console.print(f"{scaffold.quote_value(answer)} {problem}", style="red", markup=False)


def _template_str(path: scaffold.KeyPath) -> str | None:
    value = scaffold.template_value(path)
    return value if isinstance(value, str) else None


def ask_options(options: scaffold.Options, console: Console | None = None) -> scaffold.Options:
    """``options`` completed with answers for the values that are still missing.

    Asked: service name, region, auth mode, the profile or role ARN that mode needs, the
    OpenMetadata URL and whether to soft-delete vanished models. Optional extras (endpoint,
    filters, session name, source identity) are only set from the command line.
    """
    console = console or Console(stderr=True)
    opts = options
    console.print("A SageMaker ingestion config: press Enter to keep the value in brackets.")
    if opts.service_name is None:
        default = _template_str(scaffold.SERVICE_NAME)
        answer = _ask(console, "OpenMetadata service name", default, scaffold.check_name)
        opts = replace(opts, service_name=answer)
    if opts.region is None:
        default = _template_str(scaffold.REGION)
        opts = replace(opts, region=_ask(console, "AWS region", default, scaffold.check_region))
    if opts.auth is None:
        picked = Prompt.ask(
            "AWS credentials from",
            console=console,
            choices=[mode.value for mode in scaffold.Auth],
            default=scaffold.resolve_auth(opts).value,
        )
        opts = replace(opts, auth=scaffold.Auth(picked))
    if opts.auth is scaffold.Auth.profile and opts.profile is None:
        opts = replace(opts, profile=_ask(console, "AWS profile name", None, scaffold.check_name))
    if opts.auth is scaffold.Auth.assume_role and opts.role_arn is None:
        answer = _ask(console, "ARN of the role to assume", None, scaffold.check_role_arn)
        opts = replace(opts, role_arn=answer)
    if opts.host_port is None:
        default = _template_str(scaffold.HOST_PORT)
        answer = _ask(console, "OpenMetadata API URL", default, scaffold.check_host_port)
        opts = replace(opts, host_port=answer)
    if opts.mark_deleted is None:
        keep = scaffold.template_value(scaffold.MARK_DELETED) is not False
        answer_bool = Confirm.ask(
            "Soft-delete models that are gone from SageMaker?", console=console, default=keep
        )
        opts = replace(opts, mark_deleted=answer_bool)
    return opts
