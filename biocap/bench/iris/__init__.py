"""``biocap bench`` hooks for the iris core: generated samples and the EDC on the shared pairs."""
