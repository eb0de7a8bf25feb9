"""Signals of the territory app."""

from django.dispatch import Signal

# Sent (sender=Node) after a subtree's nodes changed in bulk, past the model signals: a move
# (new paths) or a deactivation. Single saves send ``post_save`` as usual.
nodes_changed = Signal()
