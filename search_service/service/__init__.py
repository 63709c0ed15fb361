"""The use cases as plain data: searching, the record view, rebuilding, highlighting, jobs."""
