"""The web layer: probes, errors, shared fields and dependencies, and the discovery of each
resource's ``router`` (the resources themselves are under ``resources/``)."""
