"""An Airflow DAG that ingests every SageMaker config of a folder into OpenMetadata, daily.

Put this file in Airflow's DAGs folder and the configs where ``OMKIT_CONFIGS`` points (a folder,
a file or a glob pattern; default below). ``validate`` checks them all, then one mapped ``run``
task per config ingests it; each run's summary is in XCom. Needs
``pip install 'omkit-sagemaker[airflow]'`` where the tasks run.
"""

from __future__ import annotations

import os

from omkit_sagemaker.airflow import ingestion_dag

dag = ingestion_dag(
    "sagemaker_ingestion",
    configs=os.environ.get("OMKIT_CONFIGS", "/opt/airflow/omkit-configs/*.yaml"),
    schedule="@daily",
)
