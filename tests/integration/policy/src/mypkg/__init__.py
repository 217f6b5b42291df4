"""Routed to filesystem-relative:lib."""
