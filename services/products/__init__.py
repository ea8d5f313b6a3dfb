"""The products service: the catalogue of products and their categories."""
