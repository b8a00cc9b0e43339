"""The {{ cookiecutter.resource_name }} resource."""
