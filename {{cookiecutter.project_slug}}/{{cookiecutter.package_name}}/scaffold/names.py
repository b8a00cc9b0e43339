"""How a resource's name becomes its class, its collection and the rest of its names.

The template names the example resource with these same functions when it bakes, and
writes parts of it with ``fill_in`` from the same ``templates/``, so resources added later
are named and written as the first one was.
"""

import re
from string import Template


def class_name(resource_name: str) -> str:
    """``order_line`` -> ``OrderLine``: the model class of a resource."""
    return "".join(part[:1].upper() + part[1:] for part in resource_name.split("_"))


def plural(resource_name: str) -> str:
    """``item`` -> ``items``, ``category`` -> ``categories``, ``box`` -> ``boxes``: the
    collection of a resource, as in its URL path."""
    if re.search(r"[^aeiou]y$", resource_name):
        return resource_name[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", resource_name):
        return resource_name + "es"
    return resource_name + "s"


def resource_names(resource_name: str, package_name: str) -> dict[str, str]:
    """What the ``${...}`` placeholders of ``templates/`` stand for, for one resource."""
    return {
        "name": resource_name,
        "noun": resource_name.replace("_", " "),
        "model": class_name(resource_name),
        "collection": plural(resource_name),
        "package": package_name,
    }


def fill_in(template: str, resource_name: str, package_name: str) -> str:
    """``template``'s placeholders filled in for the resource ``resource_name``."""
    return Template(template).substitute(resource_names(resource_name, package_name))
