"""Stays in memory."""
