"""Base utilities every other package may use: diagnostics records and codes, secret masking,
format checks, region data and where the shipped files are. Imports nothing of omkit_sagemaker.
"""
