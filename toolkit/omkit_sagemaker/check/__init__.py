"""Checking a config file: text -> document with positions -> diagnostics -> report (loader, env
expansion, YAML typing, schema explanation, rules, suppressions, settings, reporters).

Reading: ``loader`` (with ``fastload`` for plain documents; ``nodechecks``, ``nodeindex``,
``yamlerrors`` and ``locator`` for the rest). Schema errors: ``schemaerrors`` finds them,
``explain`` says them in the words of ``schemawords``; ``versions`` holds the schemas of one
release, ``releasemap`` where a key or value belongs across releases (S010).
May import .spec and .base. Kept free of heavy imports: it runs on every commit.
"""
