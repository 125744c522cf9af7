"""Loading: find the spec files, read YAML keeping every node's file, line and column, check each against its JSON Schema."""
