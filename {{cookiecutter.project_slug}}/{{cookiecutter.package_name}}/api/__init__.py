"""The service's API, one package per resource under ``resources``."""
