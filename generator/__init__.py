"""tfpub: IHE-style Technical Frameworks as YAML data, checked and published.

The data flows one way through the modules, in this order: discovery and
yaml_loader (files to located documents), schema_check and checks (problems),
resolve and model (the typed framework), then the publishing stages.
"""

__version__ = "0.1.0"
