"""citewatch: a source-citation integrity checker.

Library first: :mod:`checker.api` runs the pipeline, :mod:`checker.model` holds its
data, :mod:`checker.cli` is a thin command line over both.
"""

__version__ = "0.1.0"
