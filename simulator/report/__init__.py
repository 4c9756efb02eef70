"""Layer 5, report: text tables and charts made from the analysis layer's results."""
