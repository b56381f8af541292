"""Checking a config file: text -> document with positions -> diagnostics -> report (loader, env
expansion, YAML typing, schema explanation, rules, suppressions, settings, reporters).
May import .spec and .base. Kept free of heavy imports: it runs on every commit.
"""
