"""Answering a relation from objects already in memory."""


def remember_related(instance, name: str, objects) -> None:
    """Make `instance.<name>.all()` answer with `objects`, as if prefetched. Only for rows this
    code has just read or written, listed in the relation's own order (for lines: id order), so
    the list is what the database would return; any filtered or ordered query on the relation
    still goes to the database."""
    cache = getattr(instance, "_prefetched_objects_cache", {})
    cache.pop(name, None)
    instance._prefetched_objects_cache = cache
    queryset = getattr(instance, name).all()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    cache[name] = queryset
