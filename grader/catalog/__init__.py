"""The catalog: which exercises exist, their validated metadata, the course, kit paths and the stub generator."""
