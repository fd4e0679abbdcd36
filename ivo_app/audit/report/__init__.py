"""audit/report."""
