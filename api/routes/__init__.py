"""Routers: assess (one per registered modality), subjects, MOSIP check-quality, operations."""
