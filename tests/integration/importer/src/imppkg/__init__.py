"""A package with data files in nested directories (importer tests)."""

VALUE = "imppkg"
