"""Everything a participant, coach or klantmanager reads: Jinja2 templates per locale."""

from messages.render import render, render_buttons, template_keys

__all__ = ["render", "render_buttons", "template_keys"]
