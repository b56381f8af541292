"""Where ``omkit run`` writes entities: ``metadata-rest`` (the server) and ``file``."""
