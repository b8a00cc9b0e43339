"""The template's own logic: answer checks, derived values, and the initial revision.

Cookiecutter loads :mod:`.jinja` as a Jinja extension, so everything derived from the
answers is computed once, in the cookiecutter process, and handed to the templates and
hooks as plain values. Only the standard library is imported at module level: the
hooks run in whatever interpreter cookiecutter was installed into.
"""
