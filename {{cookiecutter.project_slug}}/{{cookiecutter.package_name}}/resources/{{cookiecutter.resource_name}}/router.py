{#- The routes add-resource writes for every later resource, written the same way here. -#}
{% filter fill_in(cookiecutter.resource_name, cookiecutter.package_name) -%}
{% include "{{cookiecutter.package_name}}/scaffold/templates/resource/router.py.tmpl" %}
{%- endfilter %}