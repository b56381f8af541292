"""Scaffold a config from a commented template: the library behind ``omkit init``.

A template (``templates/<connector>.yaml``) is a complete, valid config in which every optional
setting is present as a commented-out line (``# key: example``) under a one-line explanation.
Filling it from :class:`Options` works in two passes, so that every comment and the layout survive:

1. **Text pass.** The template's lines are scanned into key paths, whether a key is active or
   commented out. A ``# key:`` line is a commented option when ``#`` is followed by one space and
   then a YAML key; its depth is the column of ``#`` plus the spaces after ``# `` (exactly what
   commenting out a block at its own indentation produces). Options that are chosen are
   uncommented (with their children); the auth mode comments out the credentials it does not use.
   Prose comments never start with ``word:``; the tests hold the template to that.
2. **Round trip.** The text is loaded with ruamel.yaml's round-trip loader, the chosen values are
   set, and it is dumped again: ruamel keeps comments attached to keys, so they all stay.

The result is then read back the way ``metadata ingest`` reads it (PyYAML, YAML 1.1) and checked
with the schemas; a value that did not come out as asked is a bug and raises. Nothing here
prints: the CLI turns :class:`ScaffoldError` and the warnings into messages.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.resources import templates_dir

if TYPE_CHECKING:
    from ruamel.yaml import YAML

    from toolkit.diagnostics import Diagnostic

KeyPath = tuple[str, ...]
#: A value to set: a string, a boolean, a list of strings, or None to keep the template's value.
Value = str | bool | tuple[str, ...] | None

#: Connector of the only template whose options :class:`Options` knows.
SAGEMAKER = "sagemaker"

_AWS: KeyPath = ("source", "serviceConnection", "config", "awsConfig")
_PIPELINE: KeyPath = ("source", "sourceConfig", "config")
_SERVER: KeyPath = ("workflowConfig", "openMetadataServerConfig")
_FILTER: KeyPath = (*_PIPELINE, "mlModelFilterPattern")

SERVICE_NAME: KeyPath = ("source", "serviceName")
REGION: KeyPath = (*_AWS, "awsRegion")
ACCESS_KEY_ID: KeyPath = (*_AWS, "awsAccessKeyId")
SECRET_ACCESS_KEY: KeyPath = (*_AWS, "awsSecretAccessKey")
SESSION_TOKEN: KeyPath = (*_AWS, "awsSessionToken")
PROFILE: KeyPath = (*_AWS, "profileName")
ROLE_ARN: KeyPath = (*_AWS, "assumeRoleArn")
SESSION_NAME: KeyPath = (*_AWS, "assumeRoleSessionName")
SOURCE_IDENTITY: KeyPath = (*_AWS, "assumeRoleSourceIdentity")
ENDPOINT_URL: KeyPath = (*_AWS, "endPointURL")
MARK_DELETED: KeyPath = (*_PIPELINE, "markDeletedMlModels")
INCLUDES: KeyPath = (*_FILTER, "includes")
EXCLUDES: KeyPath = (*_FILTER, "excludes")
HOST_PORT: KeyPath = (*_SERVER, "hostPort")
JWT_TOKEN: KeyPath = (*_SERVER, "securityConfig", "jwtToken")

_CREDENTIAL_KEYS = (ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN)
_ROLE_KEYS = (ROLE_ARN, SESSION_NAME, SOURCE_IDENTITY)

#: A value that is nothing but an environment reference, which ``metadata ingest`` expands.
_ENV_REFERENCE = re.compile(r"\$(\{\w+\}|\w+)", re.ASCII)
#: A region code such as us-east-2, eu-central-1, us-gov-west-1, cn-north-1.
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")
#: An IAM role ARN in any partition; the role name may carry a path.
_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}")


class Auth(str, Enum):
    """How the connector gets AWS credentials; decides which ``awsConfig`` keys are active."""

    keys = "keys"  # an access key pair, from environment references by default
    profile = "profile"  # a named profile of the shared AWS files
    assume_role = "assume-role"  # a role assumed through STS (base credentials: chain or profile)
    default_chain = "default-chain"  # only the region: boto3 finds credentials itself


#: The auth mode of the bundled template, used when nothing points to another one.
DEFAULT_AUTH = Auth.keys


class ScaffoldError(Exception):
    """Options that cannot make a valid config, or a template that cannot be filled."""


class TargetExistsError(ScaffoldError):
    """The output file exists and overwriting it was not asked for."""


@dataclass(frozen=True)
class Options:
    """What to put in the config. ``None`` (or an empty tuple) keeps the template's choice."""

    service_name: str | None = None
    region: str | None = None
    auth: Auth | None = None  # None: inferred by :func:`resolve_auth`
    profile: str | None = None
    role_arn: str | None = None
    session_name: str | None = None
    source_identity: str | None = None
    endpoint_url: str | None = None
    host_port: str | None = None
    mark_deleted: bool | None = None
    includes: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    # Secrets: the template's environment references unless given.
    access_key_id: str | None = None
    secret_access_key: str | None = None
    session_token: str | None = None
    jwt_token: str | None = None


@dataclass(frozen=True)
class Rendered:
    """A filled template: its text, advice for the user, and where it holds literal secrets."""

    text: str
    warnings: tuple[str, ...] = ()
    #: JSON paths of secret values that are not environment references.
    secrets: tuple[str, ...] = ()


# --------------------------------------------------------------------------- templates


def connectors() -> list[str]:
    """The connectors that have a template, sorted."""
    return sorted(p.stem for p in templates_dir().glob("*.yaml") if p.is_file())


def template_path(connector: str) -> Path:
    """The template file of ``connector``; :class:`ScaffoldError` when there is none."""
    if connector not in connectors():
        known = ", ".join(connectors()) or "none"
        raise ScaffoldError(f"no template for connector '{connector}' (templates: {known})")
    return templates_dir() / f"{connector}.yaml"


def template_text(connector: str = SAGEMAKER) -> str:
    """The template of ``connector`` as text."""
    return template_path(connector).read_text(encoding="utf-8")


def template_value(path: KeyPath, connector: str = SAGEMAKER) -> Any:
    """The value the template has at ``path`` (active keys only), or None."""
    import yaml

    node: Any = yaml.safe_load(template_text(connector))
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


# --------------------------------------------------------------------------- checks


def _one_line(value: str) -> str | None:
    if not value.strip():
        return "must not be empty"
    if value != value.strip():
        return "must not start or end with spaces"
    if any(not ch.isprintable() for ch in value):
        return "must be a single line of printable characters"
    return None


def check_name(value: str) -> str | None:
    """Why ``value`` cannot be a service, profile, session or identity name (None: it can)."""
    return _one_line(value)


def check_region(value: str) -> str | None:
    """Why ``value`` is not an AWS region code (None: it looks like one)."""
    problem = _one_line(value)
    if problem is None and not _REGION.fullmatch(value):
        problem = "is not an AWS region code such as us-east-2"
    return problem


def check_role_arn(value: str) -> str | None:
    """Why ``value`` is not an IAM role ARN (None: it is one)."""
    problem = _one_line(value)
    if problem is None and not _ROLE_ARN.fullmatch(value):
        problem = "is not an IAM role ARN such as arn:aws:iam::123456789012:role/Reader"
    return problem


def check_url(value: str) -> str | None:
    """Why ``value`` is not an absolute URL with a scheme and a host (None: it is one)."""
    from toolkit.schema import format_checker

    problem = _one_line(value)
    if problem is None and not format_checker().conforms(value, "uri"):
        problem = "is not a URL with a scheme and a host, such as https://host:port/path"
    return problem


def check_regex(value: str) -> str | None:
    """Why ``value`` is not a Python regular expression (None: it is one)."""
    try:
        re.compile(value)
    except re.error as exc:
        return f"is not a valid regular expression ({exc})"
    if any(ch in value for ch in "\r\n"):
        return "must be a single line"
    return None


def resolve_auth(options: Options) -> Auth:
    """The auth mode: the one asked for, else the one the given options point to."""
    if options.auth is not None:
        return options.auth
    if options.role_arn or options.session_name or options.source_identity:
        return Auth.assume_role
    if options.profile:
        return Auth.profile
    if options.access_key_id or options.secret_access_key or options.session_token:
        return Auth.keys
    return DEFAULT_AUTH


def check_options(options: Options) -> list[str]:
    """Every reason ``options`` cannot make a config, as sentences naming the setting."""
    out: list[str] = []
    auth = resolve_auth(options)

    def check(label: str, value: str | None, checker: Callable[[str], str | None]) -> None:
        if value is not None:
            problem = checker(value)
            if problem:
                out.append(f"{label} {quote_value(value)} {problem}")

    check("service name", options.service_name, check_name)
    check("region", options.region, check_region)
    check("profile", options.profile, check_name)
    check("role ARN", options.role_arn, check_role_arn)
    check("session name", options.session_name, check_name)
    check("source identity", options.source_identity, check_name)
    check("endpoint URL", options.endpoint_url, check_url)
    check("OpenMetadata URL", options.host_port, check_url)
    for pattern in options.includes:
        check("include pattern", pattern, check_regex)
    for pattern in options.excludes:
        check("exclude pattern", pattern, check_regex)
    for label, secret in (
        ("access key ID", options.access_key_id),
        ("secret access key", options.secret_access_key),
        ("session token", options.session_token),
        ("JWT token", options.jwt_token),
    ):
        problem = None if secret is None else _one_line(secret)
        if problem:  # never quote a secret's value
            out.append(f"the {label} {problem}")

    if auth is Auth.profile and not options.profile:
        out.append("auth 'profile' needs a profile name")
    if auth is Auth.assume_role and not options.role_arn:
        out.append("auth 'assume-role' needs the ARN of the role to assume")
    if options.profile and auth not in (Auth.profile, Auth.assume_role):
        out.append(
            f"a profile is only used with auth 'profile' or 'assume-role', not '{auth.value}'"
        )
    if auth is not Auth.assume_role:
        for label, value in (
            ("a role ARN", options.role_arn),
            ("a session name", options.session_name),
            ("a source identity", options.source_identity),
        ):
            if value:
                out.append(f"{label} is only used with auth 'assume-role', not '{auth.value}'")
    if auth is not Auth.keys:
        for label, value in (
            ("an access key ID", options.access_key_id),
            ("a secret access key", options.secret_access_key),
            ("a session token", options.session_token),
        ):
            if value:
                out.append(f"{label} is only used with auth 'keys', not '{auth.value}'")
    return out


def quote_value(value: str) -> str:
    """``value`` quoted for a message, cut to 60 characters, control characters escaped."""
    shown = value if len(value) <= 60 else value[:59] + "…"
    return repr(shown) if not shown.isprintable() else f"'{shown}'"


# --------------------------------------------------------------------------- planning


def plan(options: Options) -> tuple[dict[KeyPath, Value], list[KeyPath]]:
    """Which keys to make active (with the value to set, None to keep the template's) and which
    to comment out, for valid ``options``."""
    active: dict[KeyPath, Value] = {}
    inactive: list[KeyPath] = []
    auth = resolve_auth(options)

    for path, value in (
        (SERVICE_NAME, options.service_name),
        (REGION, options.region),
        (ENDPOINT_URL, options.endpoint_url),
        (HOST_PORT, options.host_port),
        (JWT_TOKEN, options.jwt_token),
    ):
        if value is not None:
            active[path] = value
    if options.mark_deleted is not None:
        active[MARK_DELETED] = options.mark_deleted

    if auth is Auth.keys:
        active[ACCESS_KEY_ID] = options.access_key_id
        active[SECRET_ACCESS_KEY] = options.secret_access_key
        if options.session_token is not None:
            active[SESSION_TOKEN] = options.session_token
        else:
            inactive.append(SESSION_TOKEN)
    else:
        inactive.extend(_CREDENTIAL_KEYS)

    if auth in (Auth.profile, Auth.assume_role) and options.profile:
        active[PROFILE] = options.profile
    else:
        inactive.append(PROFILE)

    if auth is Auth.assume_role:
        active[ROLE_ARN] = options.role_arn
        for path, value in (
            (SESSION_NAME, options.session_name),
            (SOURCE_IDENTITY, options.source_identity),
        ):
            if value is not None:
                active[path] = value
            else:
                inactive.append(path)
    else:
        inactive.extend(_ROLE_KEYS)

    if options.includes:
        active[INCLUDES] = options.includes
    if options.excludes:
        active[EXCLUDES] = options.excludes
    if options.includes or options.excludes:
        inactive.extend(p for p in (INCLUDES, EXCLUDES) if p not in active)
    return active, inactive


# --------------------------------------------------------------------------- text pass

#: A YAML block-mapping key at the start of a line's content (``key:`` then a space or the end).
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?=\s|$)")


@dataclass(frozen=True)
class _Line:
    """One template line as the text pass sees it."""

    kind: str  # "key", "item" (a sequence entry), "other" (a value line), "prose", "blank"
    commented: bool  # the content is a commented-out option (not prose)
    depth: int  # indentation of the content, as if it were not commented out
    hash_col: int  # column of the commenting "#", -1 for active lines
    path: KeyPath = ()


def _scan(lines: Sequence[str]) -> list[_Line]:
    """Classify every line and give each key (active or commented out) its full path."""
    out: list[_Line] = []
    stack: list[tuple[int, str]] = []
    for text in lines:
        stripped = text.lstrip(" ")
        if not stripped.strip():
            out.append(_Line("blank", False, 0, -1))
            continue
        indent = len(text) - len(stripped)
        commented = stripped.startswith("#")
        hash_col = -1
        if commented:
            rest = stripped[1:]
            if rest and not rest.startswith(" "):
                out.append(_Line("prose", False, indent, indent))
                continue
            hash_col = indent
            body = rest[1:]
            content = body.lstrip(" ")
            depth = indent + len(body) - len(content)
        else:
            content, depth = stripped, indent
        match = _KEY.match(content)
        if match:
            while stack and stack[-1][0] >= depth:
                stack.pop()
            stack.append((depth, match.group(1)))
            path = tuple(key for _, key in stack)
            out.append(_Line("key", commented, depth, hash_col, path))
        elif content.startswith("- ") or content == "-":
            out.append(_Line("item", commented, depth, hash_col))
        elif commented:
            out.append(_Line("prose", False, depth, hash_col))
        else:
            out.append(_Line("other", False, depth, -1))
    return [_as_prose(line, out, i) for i, line in enumerate(out)]


def _as_prose(line: _Line, scanned: Sequence[_Line], index: int) -> _Line:
    """A commented ``- item`` is part of an option only inside a commented key's block."""
    if line.kind != "item" or not line.commented:
        return line
    for prev in reversed(scanned[:index]):
        if prev.kind == "blank" or prev.hash_col != line.hash_col:
            break
        if prev.kind == "key" and prev.depth < line.depth:
            return line
    return _Line("prose", False, line.depth, line.hash_col)


def key_paths(text: str) -> dict[KeyPath, bool]:
    """Every key path written in a template, mapped to True when active, False when commented."""
    out: dict[KeyPath, bool] = {}
    for line in _scan(text.splitlines()):
        if line.kind == "key":
            out.setdefault(line.path, not line.commented)
    return out


def _find(scanned: Sequence[_Line], path: KeyPath) -> int | None:
    for i, line in enumerate(scanned):
        if line.kind == "key" and line.path == path:
            return i
    return None


def _block(scanned: Sequence[_Line], start: int) -> range:
    """The key line at ``start`` and the lines of its value (its deeper lines in the same state)."""
    head = scanned[start]
    end = start + 1
    while end < len(scanned):
        line = scanned[end]
        if line.kind == "blank":
            break
        if head.commented:
            inside = line.hash_col == head.hash_col and (line.commented or line.kind == "prose")
        else:
            inside = line.hash_col > head.depth if line.hash_col >= 0 else True
        if not inside or line.depth <= head.depth:
            break
        end += 1
    return range(start, end)


def _uncomment(lines: list[str], scanned: Sequence[_Line], start: int) -> None:
    col = scanned[start].hash_col
    for i in _block(scanned, start):
        text = lines[i]
        if text[col : col + 2] == "# ":
            lines[i] = text[:col] + text[col + 2 :]
        elif text[col:] == "#":
            lines[i] = text[:col].rstrip()
        else:  # pragma: no cover - _scan only gives commented lines this shape
            raise ScaffoldError(f"template line {i + 1} cannot be uncommented")


def _comment_out(lines: list[str], scanned: Sequence[_Line], start: int) -> None:
    col = scanned[start].depth
    for i in _block(scanned, start):
        lines[i] = lines[i][:col] + "# " + lines[i][col:]


def _activate(lines: list[str], path: KeyPath, keep: Iterable[KeyPath]) -> None:
    """Make the key at ``path`` active, uncommenting its outermost commented ancestor's block and
    commenting out again every key of that block that is not on the way to a path in ``keep``."""
    scanned = _scan(lines)
    target = _find(scanned, path)
    if target is None:
        raise ScaffoldError(f"the template has no key {'.'.join(path)}")
    if not scanned[target].commented:
        return
    top = target
    for n in range(1, len(path)):
        found = _find(scanned, path[:n])
        if found is not None and scanned[found].commented:
            top = found
            break
    root = scanned[top].path
    _uncomment(lines, scanned, top)
    wanted = [k for k in keep if k[: len(root)] == root]
    done = False
    while not done:
        done = True
        scanned = _scan(lines)
        for i, line in enumerate(scanned):
            if line.kind != "key" or line.commented or len(line.path) <= len(root):
                continue
            if line.path[: len(root)] != root:
                continue
            related = any(
                w[: len(line.path)] == line.path or line.path[: len(w)] == w for w in wanted
            )
            if not related:
                _comment_out(lines, scanned, i)
                done = False
                break


def _deactivate(lines: list[str], path: KeyPath) -> None:
    scanned = _scan(lines)
    found = _find(scanned, path)
    if found is None:
        raise ScaffoldError(f"the template has no key {'.'.join(path)}")
    if not scanned[found].commented:
        _comment_out(lines, scanned, found)


def toggle(text: str, active: Iterable[KeyPath], inactive: Iterable[KeyPath]) -> str:
    """The template text with the keys in ``active`` uncommented (ancestors first) and those in
    ``inactive`` commented out. Comments, blank lines and everything else stay as they are."""
    wanted = sorted(set(active), key=len)
    lines = text.splitlines()
    for path in wanted:
        _activate(lines, path, wanted)
    for path in inactive:
        if path not in wanted:
            _deactivate(lines, path)
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


# --------------------------------------------------------------------------- round trip


def _round_trip() -> YAML:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long value onto a second line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _needs_quotes(text: str) -> bool:
    """True when ``text`` written plain would not read back as that same string, under YAML 1.1
    (PyYAML, ``metadata ingest``) or YAML 1.2 (ruamel, editors): ``yes``, ``0123``, ``a # b``..."""
    import yaml

    from toolkit.yamlcompat import yaml12_value

    try:
        read = yaml.safe_load(text)
    except yaml.YAMLError:
        return True
    return read != text or yaml12_value(text) != text


def _scalar(value: str) -> Any:
    from ruamel.yaml.scalarstring import SingleQuotedScalarString

    return SingleQuotedScalarString(value) if _needs_quotes(value) else value


def _set(data: Any, path: KeyPath, value: str | bool | tuple[str, ...]) -> None:
    from ruamel.yaml.comments import CommentedSeq

    node = data
    for part in path[:-1]:
        node = node[part]
    key = path[-1]
    if isinstance(value, tuple):
        old = node.get(key)
        new = CommentedSeq([_scalar(v) for v in value])
        if isinstance(old, CommentedSeq):
            # Comments after the last entry (the next option's explanation) move to the new last.
            trailing = old.ca.items.get(len(old) - 1)
            if trailing is not None and new:
                new.ca.items[len(new) - 1] = trailing
            new.ca.comment = old.ca.comment
        node[key] = new
    elif isinstance(value, bool):
        node[key] = value
    else:
        node[key] = _scalar(value)


def fill(text: str, active: Mapping[KeyPath, Value], inactive: Iterable[KeyPath] = ()) -> str:
    """Toggle keys in the template ``text`` (see :func:`toggle`) and set the non-None values."""
    toggled = toggle(text, active, inactive)
    values = {p: v for p, v in active.items() if v is not None}
    if not values:
        return toggled
    yaml = _round_trip()
    data = yaml.load(toggled)
    for path, value in values.items():
        _set(data, path, value)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


# --------------------------------------------------------------------------- render


def literal_secrets(data: Any, secret_keys: Iterable[str] | None = None) -> list[str]:
    """JSON paths of secret values (``format: password`` properties) that are written literally
    instead of as a ``${NAME}``/``$NAME`` environment reference."""
    from toolkit.diagnostics import json_path
    from toolkit.schema import secret_keys as schema_secret_keys

    names = frozenset(schema_secret_keys() if secret_keys is None else secret_keys)
    found: list[str] = []

    def walk(node: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in names and _is_literal(value):
                    found.append(json_path((*path, key)))
                else:
                    walk(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, (*path, index))

    walk(data, ())
    return found


def _is_literal(value: Any) -> bool:
    if value is None or value == "":
        return False
    return not (isinstance(value, str) and _ENV_REFERENCE.fullmatch(value))


def render(options: Options, connector: str = SAGEMAKER) -> Rendered:
    """Fill the template of ``connector`` from ``options`` and check the result.

    Raises :class:`ScaffoldError` naming every problem when the options cannot make a valid
    config: an auth mode without the value it needs, an invalid URL or regex, or anything the
    validator (``omkit validate``: schemas and lint rules) reports as an error. Its warnings are
    returned, except those about literal secrets, which :attr:`Rendered.secrets` lists.
    """
    if connector != SAGEMAKER:
        template_path(connector)  # an unknown connector gets the list of known ones
        raise ScaffoldError(f"omkit cannot fill the '{connector}' template from options")
    problems = check_options(options)
    if problems:
        raise ScaffoldError("; ".join(problems))
    active, inactive = plan(options)
    text = fill(template_text(connector), active, inactive)
    data, warnings = _verify(text, active)
    secrets = literal_secrets(data)
    advice = tuple(d.message for d in warnings if d.path not in secrets)
    return Rendered(text=text, warnings=advice, secrets=tuple(secrets))


def _verify(text: str, active: Mapping[KeyPath, Value]) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Read ``text`` as ``metadata ingest`` would and check it as ``omkit validate`` does.

    Returns the data and the warnings; raises :class:`ScaffoldError` on any error, and on a value
    that did not come out as asked (which would be a bug here, not a user mistake).
    """
    from toolkit.diagnostics import Severity
    from toolkit.loader import load_text
    from toolkit.validate import check_document

    loaded = load_text(text, "<generated config>", environ=None)
    found = list(loaded.diagnostics)
    if loaded.document is not None:
        found.extend(check_document(loaded.document))
    errors = [d for d in found if d.severity is Severity.ERROR or d.code == "Y009"]
    if errors or loaded.document is None:
        raise ScaffoldError("; ".join(d.message for d in errors))
    data = loaded.document.data
    for path, value in active.items():
        if value is None:
            continue
        got: Any = data
        for part in path:
            got = got.get(part) if isinstance(got, dict) else None
        want = list(value) if isinstance(value, tuple) else value
        if got != want or type(got) is not type(want):  # pragma: no cover - a bug, not a user error
            raise ScaffoldError(f"internal error: {'.'.join(path)} did not come out as asked")
    return data, [d for d in found if d.severity is Severity.WARNING]


# --------------------------------------------------------------------------- writing


def _umask() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def write_file(path: str | Path, text: str, *, force: bool = False, private: bool = False) -> None:
    """Write ``text`` to ``path`` atomically: a temporary file in the same folder, flushed to
    disk, then renamed over the target, so the target is never seen half-written.

    Refuses (:class:`TargetExistsError`) when ``path`` exists, unless ``force``. ``private``
    gives the file mode 0600 (it holds a secret); otherwise the usual mode under the umask.
    """
    target = Path(path)
    if not force and os.path.lexists(target):
        raise TargetExistsError(f"{target} already exists (use --force to overwrite it)")
    directory = target.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600 if private else 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@dataclass(frozen=True)
class Scaffold:
    """The outcome of :func:`scaffold`: what was rendered and where it went."""

    rendered: Rendered
    path: Path | None = None
    private: bool = False


def scaffold(
    options: Options,
    output: str | Path | None = None,
    *,
    force: bool = False,
    connector: str = SAGEMAKER,
) -> Scaffold:
    """Render the template and, when ``output`` is given, write it (mode 0600 when it holds a
    literal secret). The caller prints ``rendered.text`` when there is no ``output``."""
    if output is not None and not force and os.path.lexists(output):
        raise TargetExistsError(f"{output} already exists (use --force to overwrite it)")
    rendered = render(options, connector)
    if output is None:
        return Scaffold(rendered=rendered)
    private = bool(rendered.secrets)
    write_file(output, rendered.text, force=force, private=private)
    return Scaffold(rendered=rendered, path=Path(output), private=private)
