"""``biocap bench`` hooks for the face core."""
