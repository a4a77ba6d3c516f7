"""Evaluation: retrieval, grading calibration and RAGAS, with reports."""
