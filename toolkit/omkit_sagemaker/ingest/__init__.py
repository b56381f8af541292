"""Running the ingestion: config -> typed model -> SageMaker source -> mapping -> sink, plus
the AWS sessions (``awsclient``, ``credentialsource``, ``awserrors``), the OpenMetadata client
(``openmetadata`` over ``omhttp``, ``omcredentials``, ``omerrors``) and test-connection.
May import .check, .spec, .base.
"""
