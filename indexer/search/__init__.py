"""The search library: query language, plan, execution, filters and facets, highlight spans and
the archive object the web app calls."""
