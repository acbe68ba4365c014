"""The indexer's error hierarchy: each class carries its CLI exit code and HTTP status."""
from __future__ import annotations


class DanganError(Exception):
    """Base of every error the project reports to a user."""

    exit_code = 1
    http_status = 500


class ConfigError(DanganError):
    """A configuration file or command-line option is wrong."""

    exit_code = 2
    http_status = 500


class QueryError(DanganError):
    """A search query (or one of its parameters) cannot be understood."""

    exit_code = 2
    http_status = 400


class IndexMissingError(DanganError):
    """No index exists where the settings say it should be."""

    exit_code = 2
    http_status = 503


class IndexVersionError(DanganError):
    """The index was built by a different analysis version."""

    exit_code = 2
    http_status = 503


class ExtractionError(DanganError):
    """One file could not be turned into a record (a per-file error, never a crash)."""

    exit_code = 1


class RecordNotFound(DanganError):
    """No record with that id (or not one the reader may see)."""

    exit_code = 1
    http_status = 404


class DependencyError(DanganError):
    """A program or data file the work needs (Tesseract, a language) is not installed."""

    exit_code = 2
    http_status = 503
