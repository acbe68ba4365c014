"""Files to records, records to a Whoosh index, and the search library over that index."""
