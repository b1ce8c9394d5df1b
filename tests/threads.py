"""Running jobs at the same moment, each in its own thread and database connection."""

import threading

from django.db import connections


def run_together(*jobs) -> list[str]:
    """Start every job at once (a barrier), wait for all; the errors they raised, as text."""
    start, errors = threading.Barrier(len(jobs)), []

    def guarded(job):
        try:
            start.wait()
            job()
        except Exception as error:  # a deadlock or anything unexpected fails the caller's test
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guarded, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
