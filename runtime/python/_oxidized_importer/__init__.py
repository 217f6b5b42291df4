"""Python side of the `oxidized_importer` built-in module.

The C module (runtime/src/oxidized_importer.c) serves imports; the colder APIs that are
simpler in Python (importlib.resources Traversables, importlib.metadata distributions,
resource collection) live here and are imported on first use, never at start-up. Every
py_oxidized_binary embeds this package as a separate resource group.
"""
