"""Training progress on the terminal: the trainer's log records as one updating line (``--deepfashion-progress``).

OpenPifPaf's trainer logs a dict per ``--log-interval`` batches (type 'train': epoch, batch, n_batches, time,
data_time, loss) and one per epoch ('train-epoch', 'val-epoch'). :class:`ProgressHandler` renders them on stderr;
the records still reach OpenPifPaf's own handlers (stdout, ``<output>.log``) unchanged.
"""
import logging
import sys

TRAINER_LOGGER = 'openpifpaf.network.trainer'


def duration(seconds):
    """A short duration: '1h02m', '4m05s', '12s'."""
    seconds = int(round(seconds))
    if seconds >= 3600:
        return '{}h{:02d}m'.format(seconds // 3600, seconds % 3600 // 60)
    if seconds >= 60:
        return '{}m{:02d}s'.format(seconds // 60, seconds % 60)
    return '{}s'.format(seconds)


class ProgressHandler(logging.Handler):
    """Renders trainer records: on a terminal one line rewritten with ``\\r``, elsewhere a line every
    ``plain_every`` batches, and a line per finished epoch and validation.

    Seconds per batch are measured between consecutive records of an epoch (all batches in between, data
    loading included) and from the record's own time + data_time for an epoch's first record. The time left
    is the rest of this epoch and the remaining epochs at that rate, plus the last validation's time for each
    validation still to come. ``epochs``, ``train_batches`` and ``val_interval`` default to the trainer's
    configuration (``--epochs``, ``--train-batches``, ``--val-interval``).
    """
    plain_every = 10

    def __init__(self, stream=None, *, epochs=None, train_batches=None, val_interval=None, tty=None):
        super().__init__(logging.INFO)
        self.stream = stream if stream is not None else sys.stderr
        self.tty = tty if tty is not None else bool(getattr(self.stream, 'isatty', lambda: False)())
        self._config = {'epochs': epochs, 'n_train_batches': train_batches, 'val_interval': val_interval}
        self.seconds = 0.0
        self.batches = 0
        self.val_seconds = None
        self._previous = None  # (epoch, batch, created) of the last train record
        self._plain = None  # (epoch, batch) of the last plain line
        self._width = 0  # length of the line the cursor is on (terminal only)

    def config(self, name):
        """A trainer setting: as given to the handler, else openpifpaf.network.Trainer's."""
        if self._config[name] is not None:
            return self._config[name]
        try:
            from openpifpaf.network import Trainer  # pylint: disable=import-outside-toplevel
        except ImportError:
            return None
        return getattr(Trainer, name, None)

    def batches_per_epoch(self, n_batches):
        limit = self.config('n_train_batches')
        return min(n_batches, limit) if limit else n_batches

    def seconds_per_batch(self):
        return self.seconds / self.batches if self.batches else None

    def validations_left(self, epoch):
        """Validations still to run from the 0-based training epoch on (the trainer's rule)."""
        epochs = self.config('epochs')
        interval = self.config('val_interval') or 1
        return sum(1 for e in range(epoch + 1, epochs + 1) if e % interval == 0 or e == epochs)

    def seconds_left(self, epoch, batch, n_batches):
        """Estimated seconds to the end of training after 0-based batch of 0-based epoch; None if unknown."""
        epochs = self.config('epochs')
        per_batch = self.seconds_per_batch()
        if epochs is None or per_batch is None:
            return None
        left = (n_batches - batch - 1) + (epochs - epoch - 1) * n_batches
        return left * per_batch + self.validations_left(epoch) * (self.val_seconds or 0.0)

    def measure(self, info, created):
        previous = self._previous
        if previous is not None and previous[0] == info['epoch'] and previous[1] < info['batch']:
            self.seconds += created - previous[2]
            self.batches += info['batch'] - previous[1]
        else:
            self.seconds += (info.get('time') or 0.0) + (info.get('data_time') or 0.0)
            self.batches += 1
        self._previous = (info['epoch'], info['batch'], created)

    def epoch_text(self, epoch):
        """'epoch 3/10' for a 1-based epoch (no total when the trainer's epochs are unknown)."""
        epochs = self.config('epochs')
        return 'epoch {}/{}'.format(epoch, epochs) if epochs else 'epoch {}'.format(epoch)

    def train_line(self, info):
        n_batches = self.batches_per_epoch(info['n_batches'])
        parts = ['{}  batch {}/{}'.format(self.epoch_text(info['epoch'] + 1), info['batch'] + 1, n_batches),
                 'loss {:.3f}'.format(info['loss']) if info.get('loss') is not None else 'loss -']
        per_batch = self.seconds_per_batch()
        if per_batch is not None:
            parts.append('{:.2f} s/batch'.format(per_batch))
        left = self.seconds_left(info['epoch'], info['batch'], n_batches)
        if left is not None:
            parts.append('time left {}'.format(duration(left)))
        return '  '.join(parts)

    def emit(self, record):
        try:
            info = record.msg
            if not isinstance(info, dict):
                return
            if info.get('type') == 'train':
                self.measure(info, record.created)
                if self.tty or self.plain_due(info):
                    self.write(self.train_line(info), final=False)
            elif info.get('type') == 'train-epoch':
                self.write('{} trained: mean loss {:.4f} in {}'.format(
                    self.epoch_text(info['epoch']), info['loss'], duration(info['time'])), final=True)
            elif info.get('type') == 'val-epoch':
                self.val_seconds = info['time']
                self.write('{} validated: mean loss {:.4f} in {}'.format(
                    self.epoch_text(info['epoch']), info['loss'], duration(info['time'])), final=True)
        except Exception:  # pylint: disable=broad-except
            self.handleError(record)

    def plain_due(self, info):
        """Without a terminal: an epoch's first record, then one at least plain_every batches later."""
        if self._plain is not None and self._plain[0] == info['epoch'] \
           and info['batch'] - self._plain[1] < self.plain_every:
            return False
        self._plain = (info['epoch'], info['batch'])
        return True

    def write(self, text, final):
        """On a terminal: over the pending line (\\r, padded), ending it when final; elsewhere a plain line."""
        if self.tty:
            self.stream.write('\r' + text + ' ' * max(0, self._width - len(text)) + ('\n' if final else ''))
            self._width = 0 if final else len(text)
        else:
            self.stream.write(text + '\n')
        self.stream.flush()

    def close(self):
        """Ends a pending terminal line (a run that stops mid-epoch)."""
        if self.tty and self._width:
            self.stream.write('\n')
            self.stream.flush()
            self._width = 0
        super().close()


def install(stream=None, **kwargs):
    """Adds a ProgressHandler to the trainer's logger, replacing an earlier one, and returns it."""
    logger = logging.getLogger(TRAINER_LOGGER)
    for handler in list(logger.handlers):
        if isinstance(handler, ProgressHandler):
            logger.removeHandler(handler)
            handler.close()
    handler = ProgressHandler(stream, **kwargs)
    logger.addHandler(handler)
    return handler
