"""``omkit test-connection`` on a terminal: a rich table of the steps."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from omkit_sagemaker.ingest.connection.display import LABELS, duration_text, problem_text
from omkit_sagemaker.ingest.connection.recorder import StepResult, StepStatus

if TYPE_CHECKING:
    from rich.console import Console

STYLES = {
    StepStatus.PASS: "green",
    StepStatus.FAIL: "bold red",
    StepStatus.WARN: "yellow",
    StepStatus.SKIP: "dim",
}


def checked_in_table(check: Callable[[], list[StepResult]]) -> list[StepResult]:
    """Run ``check`` under a spinner on stdout, then show its steps as a table there."""
    from rich.console import Console

    console = Console()
    with console.status("testing the connection..."):
        results = check()
    print_table(results, console)
    return results


def print_table(results: Sequence[StepResult], console: Console) -> None:
    """A rich table of the steps on ``console``."""
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=True, header_style="bold", expand=False)
    table.add_column("Step", no_wrap=True)
    table.add_column("Result", no_wrap=True)
    table.add_column("Time", justify="right", no_wrap=True)
    table.add_column("Detail", overflow="fold")
    for result in results:
        problem = result.status in (StepStatus.FAIL, StepStatus.WARN)
        detail = Text(problem_text(result) if problem else result.detail)
        if result.hint:
            detail.append("\nfix: ", style="bold")
            detail.append(result.hint)
        table.add_row(
            Text(result.name),
            Text(LABELS[result.status], style=STYLES[result.status]),
            Text(duration_text(result)),
            detail,
        )
    console.print(table)
