"""A batch (re-)index run: the corpus listing and scratch database, the plan, extraction in a
worker pool or on a Dask cluster, the single writer, and `--check`."""
