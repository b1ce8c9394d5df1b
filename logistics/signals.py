"""What logistics tells the layers above it, without knowing who listens.

`shipments_moved(moved=[Moved, ...], by=user)` is sent inside the transaction of the move, so a
receiver's writes (a refund, the order's status) commit or roll back with it."""

from django.dispatch import Signal

shipments_moved = Signal()
