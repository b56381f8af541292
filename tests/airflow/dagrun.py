"""Run one DAG file end to end with Airflow's ``dag.test()`` and print what happened as one JSON
line (``OMKIT-RESULT {...}``): the DAG run's state, every task instance (mapped ones by
``map_index``) and every XCom of the run. A helper of test_airflow.py, run in a subprocess
with its own AIRFLOW_HOME (a temporary SQLite metadata database), which it first migrates as
``airflow db migrate`` does (in this process: one Airflow import instead of two)."""

from __future__ import annotations

import contextlib
import json
import runpy
import sys
from typing import Any


def main() -> None:
    from airflow.utils import db

    db.upgradedb()
    namespace = runpy.run_path(sys.argv[1])
    dag = namespace["dag"]
    run = dag.test()
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    out: dict[str, Any] = {"state": str(run.state), "tasks": [], "xcoms": []}
    for ti in sorted(run.get_task_instances(), key=lambda t: (t.task_id, t.map_index)):
        out["tasks"].append(
            {
                "task_id": ti.task_id,
                "map_index": ti.map_index,
                "state": str(ti.state),
                "try_number": ti.try_number,
            }
        )
    with create_session() as session:
        rows = (
            session.query(XComModel)
            .filter(XComModel.dag_id == dag.dag_id, XComModel.run_id == run.run_id)
            .all()
        )
        for row in rows:
            value = row.value
            if isinstance(value, (str, bytes)):
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
            out["xcoms"].append(
                {"task_id": row.task_id, "map_index": row.map_index, "key": row.key, "value": value}
            )
    sys.stdout.write("OMKIT-RESULT " + json.dumps(out, default=str) + "\n")


if __name__ == "__main__":
    main()
