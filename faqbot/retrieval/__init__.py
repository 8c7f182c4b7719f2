"""Retrieval: embedding backends, the index on disk (build, load, lifecycle), hubness and search."""
