"""Back-office views, one module per group of screens."""
