"""Imports from its package's __init__ module by name, as some projects do."""

from .__init__ import VALUE
