"""Patching: writing the reviewed fixes back into the reference list, changing nothing
but the cells meant to change, atomically."""
