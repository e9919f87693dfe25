"""Atomic file writes: a reader (or a crash) sees the old file or the whole new one, never a partial one."""
import contextlib
import os
import tempfile


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; when the block succeeds it replaces ``path``.

    The file gets the usual mode (0666 less the umask; mkstemp alone would leave it private)."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(prefix='.' + os.path.basename(path) + '.', suffix='.tmp', dir=directory)
    os.close(fd)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, path)
    except BaseException:
        if os.path.exists(tmp_path):
            os.remove(tmp_path)
        raise


@contextlib.contextmanager
def atomic_open(path, newline=None):
    """A text file (UTF-8) opened for writing that replaces ``path`` only once it is complete."""
    with atomic_path(path) as tmp_path:
        with open(tmp_path, 'w', encoding='utf-8', newline=newline) as f:
            yield f
