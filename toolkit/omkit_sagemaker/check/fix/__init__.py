"""``omkit fix``: the certain fixes of the problems ``omkit validate`` finds, applied in place.

A :class:`~.model.Fix` is data (where, the text as written, the text to write, why), computed
from a diagnostic and its document by the fixer that the rule declares (``@rule(..., fix=)``) or
that the schema explainer declares for its S codes; each declares whether it is safe (ruff's
word: an unsafe fix, such as replacing a literal secret, is made only with ``--unsafe-fixes``).
:mod:`.apply` (imported on its own: it pulls in ruamel.yaml and re-validates) turns the fixes
of a file into its new text (:mod:`.spans` finds and replaces the tokens), checks that the new
text reads back to the same data elsewhere and has fewer problems, and writes it through the
safe writer. :mod:`.variables` and :mod:`.secretnames` name the variables of the secret fixes
(one per secret, per file where files would share one); :mod:`.mask` shows a fix without its
secrets. :mod:`.model` stays light: the rules import it on the ``omkit validate`` path.
"""

from __future__ import annotations

from omkit_sagemaker.check.fix.model import Fix as Fix
from omkit_sagemaker.check.fix.model import Fixer as Fixer
