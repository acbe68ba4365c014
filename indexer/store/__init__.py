"""The Whoosh index on disk: schema and record mapping, postings writer, array reader, lock,
manifest and the corpus roots remembered beside the index."""

from .compound import install as _read_compound_files_in_place

_read_compound_files_in_place()
