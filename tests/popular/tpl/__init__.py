"""Templates loaded by jinja2's PackageLoader, which needs them as real files."""
