"""The checkout's data in the buyer's session, written back only when it changed."""

from oscar.apps.checkout import utils

_UNSET = object()


class CheckoutSessionData(utils.CheckoutSessionData):
    def _set(self, namespace, key, value):
        # Oscar's shipping-method step stores the chosen method on every visit; storing the
        # value already there would only rewrite the session row (three queries) for nothing.
        if self._get(namespace, key, _UNSET) == value:
            return
        super()._set(namespace, key, value)
