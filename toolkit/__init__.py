"""omkit: declarative, checked OpenMetadata SageMaker ingestion configs."""

__version__ = "0.1.0"
