"""`lambda-split new`: a split-ready solution from Jinja2 templates."""
