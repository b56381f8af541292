"""Project settings: ``[tool.omkit]`` in ``pyproject.toml``, or ``.omkit.toml``.

The nearest file is used, searched upward from the config file's folder (then from the current
folder when nothing is found there)::

    [tool.omkit]
    disable = ["R011"]                        # codes never reported
    severity = { R001 = "error" }             # codes reported with another severity
    target-version = "1.3"                    # the OpenMetadata release configs are written for

``.omkit.toml`` holds the same keys at its top level (or under ``[tool.omkit]``); in one folder it
wins over ``pyproject.toml``, and a ``pyproject.toml`` without ``[tool.omkit]`` is passed over.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from omkit_sagemaker.base.diagnostics import CODES, Severity, can_silence
from omkit_sagemaker.base.records import Record
from omkit_sagemaker.check.rules import RULES
from omkit_sagemaker.check.versions import DEFAULT_TARGET, Version, parse_version

#: The file names looked for in each folder, first match wins.
CONFIG_FILES = (".omkit.toml", "pyproject.toml")

_KEYS = frozenset({"disable", "severity", "target-version"})


class SettingsError(ValueError):
    """A settings file that cannot be read or holds a wrong setting."""


class Settings(Record):
    """What to report and for which release."""

    __slots__ = (  # noqa: RUF023 - in field order, for repr
        "disable",
        "severity",
        "target",
        "source",
    )

    disable: frozenset[str]
    severity: Mapping[str, Severity]
    target: Version
    #: The file these settings come from (None: omkit's defaults).
    source: Path | None

    def __init__(
        self,
        disable: frozenset[str] = frozenset(),
        severity: Mapping[str, Severity] | None = None,
        target: Version = DEFAULT_TARGET,
        source: Path | None = None,
    ) -> None:
        self.disable = disable
        self.severity = {} if severity is None else severity
        self.target = target
        self.source = source


def known_codes() -> frozenset[str]:
    """Every code omkit can report."""
    return frozenset(CODES) | frozenset(RULES)


def check_code(value: object, setting: str) -> str:
    """``value`` as an omkit code that may be silenced, upper-cased; raises
    :class:`SettingsError` naming ``setting`` for an unknown code or one that stays on."""
    name = value.strip().upper() if isinstance(value, str) else ""
    if name not in known_codes():
        from omkit_sagemaker.check.directives import closest_code

        guess = closest_code(name, known_codes()) if name else None
        meant = f"; did you mean {guess}?" if guess else ""
        raise SettingsError(
            f"{setting}: {value!r} is not an omkit code (omkit rules lists them){meant}"
        )
    if not can_silence(name):
        raise SettingsError(
            f"{setting}: {name} cannot be turned off: metadata ingest rejects a file with this "
            "problem"
        )
    return name


def with_overrides(
    settings: Settings, *, disable: Iterable[str] = (), enable: Iterable[str] = ()
) -> Settings:
    """``settings`` with the command line's ``--disable`` and ``--enable`` codes applied
    (``--enable`` wins over both a setting and ``--disable``). Raises :class:`SettingsError`."""
    off = {check_code(c, "--disable") for c in disable}
    on = {check_code(c, "--enable") for c in enable}
    if not off and not on:
        return settings
    return settings.replace(disable=frozenset((settings.disable | off) - on))


def split_codes(values: Iterable[str]) -> list[str]:
    """``["R001,R002", "R003"]`` -> ``["R001", "R002", "R003"]`` (repeatable, comma lists)."""
    return [part for value in values for part in value.split(",") if part.strip()]


def find_config(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest settings file at or above the folder ``start``, with its omkit table."""
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        for name in CONFIG_FILES:
            path = candidate / name
            if not path.is_file():
                continue
            data = _read(path)
            tool = data.get("tool")
            table = tool.get("omkit") if isinstance(tool, dict) else None
            if name == ".omkit.toml":
                if table is None:
                    table = {k: v for k, v in data.items() if k != "tool"}
            elif table is None:
                continue  # a pyproject.toml of another project
            if not isinstance(table, dict):
                raise SettingsError(f"{path}: [tool.omkit] must be a table")
            return path, table
    return None


def _read(path: Path) -> dict[str, Any]:
    # Imported here: most folders have no settings file, and tomllib costs ~8 ms to import.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from None
    return data


def parse(table: Mapping[str, Any], source: Path | None = None) -> Settings:
    """Check an omkit settings table and turn it into :class:`Settings`."""
    where = f"{source}: " if source is not None else ""
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        allowed = ", ".join(sorted(_KEYS))
        raise SettingsError(f"{where}unknown setting '{unknown[0]}' (omkit knows {allowed})")

    def code(value: object, setting: str) -> str:
        try:
            return check_code(value, setting)
        except SettingsError as exc:
            raise SettingsError(f"{where}{exc}") from None

    disable = table.get("disable", [])
    if not isinstance(disable, list):
        raise SettingsError(f'{where}disable must be a list of codes, such as ["R011"]')
    severity = table.get("severity", {})
    if not isinstance(severity, dict):
        raise SettingsError(f'{where}severity must be a table, such as {{ R001 = "error" }}')
    levels: dict[str, Severity] = {}
    for key, level in severity.items():
        name = code(key, "severity")
        try:
            levels[name] = Severity(str(level).lower())
        except ValueError:
            raise SettingsError(
                f'{where}severity.{name}: {level!r} is not "error" or "warning"'
            ) from None
    target = DEFAULT_TARGET
    if "target-version" in table:
        try:
            target = parse_version(str(table["target-version"]))
        except ValueError as exc:
            raise SettingsError(f"{where}target-version: {exc}") from None
    return Settings(
        disable=frozenset(code(c, "disable") for c in disable),
        severity=levels,
        target=target,
        source=source,
    )


def load_settings(start: Path, *, cwd: Path | None = None) -> Settings:
    """The settings for configs in folder ``start`` (the current folder's when none is found)."""
    found = find_config(start)
    if found is None:
        here = (cwd or Path.cwd()).resolve()
        if here != start.resolve():
            found = find_config(here)
    if found is None:
        return Settings()
    path, table = found
    return parse(table, path)
