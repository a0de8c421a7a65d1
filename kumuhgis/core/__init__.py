"""The core: errors, layer schema, rule sets, numbers, vocabulary and code lists.

Nothing here reads a file other than the package's own rule data, and nothing here
imports another kumuhgis layer (docs/architecture.md).
"""
