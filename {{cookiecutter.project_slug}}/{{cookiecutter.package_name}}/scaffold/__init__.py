"""``add-resource``: a new resource in the service's style, and its revision."""
