"""Where ``omkit run`` reads models from: the SageMaker source (``sagemaker``, with
``mlModelFilterPattern`` in ``modelfilter`` and the ``Search`` listing in ``search``), the
training-job lookups (``training`` over ``trainingjob`` and ``trainingsearch``), the indexes
the other asset kinds read (``*index``) and the reading of AWS answers they share (``answers``)."""
