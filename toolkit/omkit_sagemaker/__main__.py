"""Allow ``python -m omkit_sagemaker``."""

from omkit_sagemaker.cli import main

main()
