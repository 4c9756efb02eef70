"""Layer 1, schemas: pydantic models of every file read from disk, and the shared vocabulary.

Imports nothing of the project. Everything read from disk is validated here (unknown fields are errors), units are
in field names, and every number carries its source or an assumption with its range (`sourced.py`).
"""
