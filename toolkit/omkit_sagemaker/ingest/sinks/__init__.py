"""Where ``omkit run`` writes entities: ``metadata-rest`` (the server; what it relies on of the
server's answers in ``omrest``), ``file`` and the ``--dry-run`` plan, chosen through ``table``."""
