"""Errors a user can fix (bad input, conflicting options, the wrong checkpoint): one line, no traceback.

Each such error class derives from :class:`UserError`.  When one ends a command (``openpifpaf.train``, ``eval``,
``predict``, or this plugin's own), :func:`install`'s exception hook prints ``ErrorClass: message`` on stderr
and the process exits with status 1; with OpenPifPaf's ``--debug`` the full traceback is printed as usual.
Every other exception keeps Python's own report.
"""
import logging
import sys


class UserError(Exception):
    """Marks an error whose message tells the user what to change."""


def excepthook(plain_hook):
    def hook(exc_type, exc, traceback):
        if issubclass(exc_type, UserError) and not logging.getLogger('openpifpaf').isEnabledFor(logging.DEBUG):
            sys.stderr.write('{}: {}\n'.format(exc_type.__name__, exc))
            return
        plain_hook(exc_type, exc, traceback)
    hook.user_errors = True
    return hook


def install():
    """Idempotent."""
    if not getattr(sys.excepthook, 'user_errors', False):
        sys.excepthook = excepthook(sys.excepthook)
