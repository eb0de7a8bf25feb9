"""The catalogue as intake and the API read it by id, kept per process.

A published category never changes: changing the catalogue publishes a new version
(``catalogue.publish``). So each process keeps the categories it has read, by id, and
hands out copies. Which version is current does change: it is re-read at most every
``CATALOGUE_CHECK_SECONDS`` (as the locator re-reads the grids), and at once in the process
that publishes: in the publishing transaction, and in its other threads after the commit.
Elsewhere a publish is seen up to that many seconds late: intake may still accept a leaf
of the version just retired, or refuse one of the new version (422, to be sent again).
"""

import copy
import threading
import time

from django.conf import settings

from civicgrid.requests.models import CatalogueVersion, Category

KEPT_MAX = 20_000  # categories kept per process (a catalogue has about 500 leaves per version)


class CatalogueCache:
    def __init__(self) -> None:
        self._categories: dict[int, Category] = {}
        self._current: int | None = None
        self._checked_at = float("-inf")
        self._generation = 0  # moves on at each invalidation
        self._lock = threading.Lock()

    def category(self, pk: int) -> Category | None:
        """The category with this id, of any version and level (a copy of the kept one:
        callers may load relations on it), or None."""
        found = self._categories.get(pk)
        if found is None:
            found = Category.objects.filter(pk=pk).order_by("pk").first()
            if found is None:
                return None
            with self._lock:
                if len(self._categories) < KEPT_MAX:
                    self._categories[pk] = found
        return copy.copy(found)

    def current_version_id(self) -> int | None:
        now = time.monotonic()
        if now - self._checked_at < settings.CATALOGUE_CHECK_SECONDS:
            return self._current
        generation = self._generation
        current = CatalogueVersion.objects.filter(is_current=True).values_list("id", flat=True).first()
        with self._lock:
            # Kept only if no publish invalidated the cache while this read was under way.
            if self._generation == generation:
                self._current, self._checked_at = current, now
        return current

    def is_current_leaf(self, category: Category) -> bool:
        return category.level == 3 and category.version_id == self.current_version_id()

    def invalidate(self) -> None:
        with self._lock:
            self._generation += 1
            self._categories = {}
            self._checked_at = float("-inf")


catalogue_cache = CatalogueCache()
