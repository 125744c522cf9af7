"""The typed model and the resolver that builds it from loaded documents.

``generator.model`` is the model's entities; the resolver is ``generator.model.resolve``.
"""

from .entities import *  # noqa: F401,F403
