"""Issue 19's benchmark: questions in one language finding records that exist only in the other."""
