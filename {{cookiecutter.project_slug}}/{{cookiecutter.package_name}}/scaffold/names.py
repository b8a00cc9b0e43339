"""How a resource's name becomes its class and its collection.

The template names the example resource with these same functions when it bakes, so
resources added later are named as the first one was.
"""

import re


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
