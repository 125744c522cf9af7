"""From the model to site source: numbers, tables, page views, narrative, figures, pages and navigation."""
