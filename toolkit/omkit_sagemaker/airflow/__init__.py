"""Apache Airflow: a DAG factory over the Python API (``pip install 'omkit-sagemaker[airflow]'``).

May import ``api`` and every layer below it; nothing in omkit imports it (Airflow is imported
only here, and only when a DAG is built).
"""
