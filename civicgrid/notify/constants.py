"""Audit verbs of the notification outbox."""


class Verb:
    RETRIED = "notify.retried"  # the system administrator sent a failed message again
