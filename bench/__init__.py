"""The benchmarks, a package so that they import the test doubles of :mod:`testing` and each
other by their full names: run them from the repository's root as ``python -m bench.run_bench``
(see README.md here)."""
