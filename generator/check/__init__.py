"""Cross-reference checks on the model, and the framework's whole checking pipeline."""
