"""The Whoosh index on disk: schema and record mapping, postings writer, array reader, lock,
manifest and the corpus roots remembered beside the index."""
