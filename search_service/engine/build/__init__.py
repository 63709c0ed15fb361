"""Writing index generations: full and incremental builds, segments, publishing."""
