"""The README's Airflow example is the DAG the Airflow test runs, and its Python API example is
valid Python that uses only names the API has."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import omkit_sagemaker

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def python_blocks(section: str) -> list[str]:
    body = README.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", body, flags=re.DOTALL)


def test_the_airflow_example_is_the_tested_dag_file() -> None:
    example = (ROOT / "examples" / "airflow" / "sagemaker_ingestion.py").read_text(encoding="utf-8")
    (block,) = python_blocks("Airflow")
    assert example.endswith(block)


def test_the_python_api_example_uses_the_api() -> None:
    (block,) = python_blocks("Python API")
    tree = ast.parse(block)
    used = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "omkit_sagemaker"
    }
    assert used == {"run", "run_many", "validate"}
    assert all(hasattr(omkit_sagemaker, name) for name in used)
