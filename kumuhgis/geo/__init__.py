"""Geometry: coordinate reference systems, exact hectares and the fast spatial index."""
