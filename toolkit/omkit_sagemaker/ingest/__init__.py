"""Running the ingestion: config -> typed model -> SageMaker source -> mapping -> sink, plus
the AWS sessions, the OpenMetadata client and test-connection. May import .check, .spec, .base.
"""
