"""What other apps may hear of a service order's life.

``order_cancelled`` is sent inside the cancelling transaction, after the order is saved, with
``order`` (the cancelled ``ServiceOrder``) and ``actor``. The party app listens to put a need
whose orders are all withdrawn back to 待认领 (``civicgrid.party.services.orders``)."""

from django.dispatch import Signal

order_cancelled = Signal()
