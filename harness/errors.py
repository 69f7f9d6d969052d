"""Errors the user can fix; plugin and CLI print them as one line, never as a traceback."""


class UsageError(Exception):
    """A bad option or target file: the message names the field and what is wrong with it."""


class StackError(Exception):
    """The stack could not be brought up; the message says which service and where its log is."""


class FaultUnsupported(StackError):
    """The backend cannot inject this fault; checks that need it skip with this message."""
