"""omkit's shared test doubles and fixtures, one importable package for the tests and benches.

- :mod:`testing.omdouble`: the recording OpenMetadata server double (``OMServer``, the
  ``om_server`` fixture), split by concern under ``testing/omdouble/``;
- :mod:`testing.awsfixtures`: moto servers on 127.0.0.1, the ``moto`` fixtures, seeded estates;
- :mod:`testing.awsfaults`: the fault proxy in front of moto (throttling, resets, hangs);
- :mod:`testing.searchdouble`: SageMaker ``Search`` as AWS answers it, where moto cannot;
- :mod:`testing.shapecheck`: requests and answers held to botocore's service model;
- :mod:`testing.samples`, :mod:`testing.wheelhouse`: sample configs, offline wheels;
- :mod:`testing.modelcases`, :mod:`testing.scaffoldcases`: what the tests of one module's
  split-up test files share (a model and its connection; the template's key paths);
- :mod:`testing.testmap`: which test modules test which modules, and which have no mirror;
- :mod:`testing.httpdouble`: the HTTP server every double listens with.

Where it sits, and why: at the repository's root, beside ``tests/`` and ``bench/``, so that
one import path serves both without any ``sys.path`` edit. pytest puts the root on
``sys.path`` (``pythonpath = ["."]`` in pyproject's ``[tool.pytest.ini_options]``, and
``tests/conftest.py`` loads the fixtures with ``pytest_plugins``); the benches are the
package ``bench`` and run from the root as ``python -m bench.run_bench``, which puts the root
on ``sys.path`` too; mypy finds both through ``mypy_path = "toolkit:."``. It is not part of
the wheel (only ``toolkit/omkit_sagemaker`` is), and the sdist carries it beside ``tests/``.
"""
