"""Duplicate and collision detection: phonetic keys, blocking, explainable scoring, clusters."""
