"""Where ``omkit run`` reads models from (one module per connector)."""
