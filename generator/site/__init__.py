"""The publishing stage: specs to site source (memoised), mkdocs as a thin last step, the link check."""
