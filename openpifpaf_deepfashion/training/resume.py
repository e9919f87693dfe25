"""``--resume-training`` as a user types it.

OpenPifPaf resumes from two files that a run writes side by side after every epoch, the network
``OUT.epochNNN`` (given with ``--checkpoint``) and the optimizer and loss state ``OUT.optim.epochNNN`` (given
with ``--resume-training``); the epoch counter and the learning-rate schedule follow from the network's
epoch.  Naming the network file in ``--resume-training``, or forgetting ``--checkpoint``, fails late or
resumes an optimizer onto a fresh network.  Here ``--resume-training`` accepts any of

* ``OUT`` (the run's ``--output``): the latest epoch whose two files are both complete;
* ``OUT.epochNNN`` or ``OUT.optim.epochNNN``: that epoch;

and fills in ``--checkpoint`` (unless given; the training command can be repeated as it was, ``--basenet``
included) and, when no ``--output`` is given, continues writing ``OUT``
(its log ``OUT.log`` continued, not restarted).  A missing or incomplete file stops the run before any work
with a message naming it.
"""
import glob
import logging
import os
import re
import sys
import zipfile

import openpifpaf

from ..atomic import atomic_path
from ..errors import UserError

LOG = logging.getLogger(__name__)

EPOCH_SUFFIX = re.compile(r'^(?P<out>.+?)(?P<optim>\.optim)?\.epoch(?P<epoch>\d{3,})$')


class ResumeError(UserError, ValueError):
    """The files to resume from are missing or incomplete."""


def complete(path):
    """A file that ``torch.save`` finished: its zip directory, written last, is present."""
    return os.path.isfile(path) and zipfile.is_zipfile(path)


def files(out, epoch):
    return '{}.epoch{:03d}'.format(out, epoch), '{}.optim.epoch{:03d}'.format(out, epoch)


def latest_epoch(out):
    """The highest epoch of run ``out`` whose network and optimizer files are both complete, or None."""
    epochs = []
    for path in glob.glob(glob.escape(out) + '.epoch*'):
        match = EPOCH_SUFFIX.match(path)
        if match and match.group('out') == out and not match.group('optim'):
            epochs.append(int(match.group('epoch')))
    for epoch in sorted(epochs, reverse=True):
        if all(complete(path) for path in files(out, epoch)):
            return epoch
        LOG.warning('resume: epoch %d of %s is incomplete (a run killed while writing it), skipped', epoch, out)
    return None


def resolve(resume):
    """(run output, network checkpoint, optimizer checkpoint) for what the user gave ``--resume-training``."""
    match = EPOCH_SUFFIX.match(resume)
    if match:
        out, epoch = match.group('out'), int(match.group('epoch'))
    else:
        out, epoch = resume, latest_epoch(resume)
        if epoch is None:
            raise ResumeError('--resume-training {}: no complete checkpoint of this run ({}.epochNNN with its '
                              '{}.optim.epochNNN) was found'.format(resume, resume, resume))
    network, optim = files(out, epoch)
    for path in (network, optim):
        if not os.path.exists(path):
            raise ResumeError('--resume-training {}: {} does not exist (a run writes the network and the '
                              'optimizer state side by side after each epoch)'.format(resume, path))
        if not complete(path):
            raise ResumeError('--resume-training {}: {} is incomplete (truncated while being written); resume '
                              'from an earlier epoch or from the run\'s output {}'.format(resume, path, out))
    return out, network, optim


def output_given(argv):
    return any(arg == '-o' or (arg.startswith('--o') and '--output'.startswith(arg.split('=')[0]))
               for arg in argv)


def configure(args):
    """Training hook (see :mod:`.trainer_hooks`): resolve ``--resume-training`` into OpenPifPaf's two files."""
    if not getattr(args, 'resume_training', None):
        return
    out, network, optim = resolve(args.resume_training)
    if args.checkpoint is None:
        args.checkpoint = network
        openpifpaf.network.Factory.checkpoint = network
    if args.basenet:  # the checkpoint brings its own base network (OpenPifPaf accepts one of the two)
        LOG.info('resume: --basenet %s ignored, the network comes from %s', args.basenet, args.checkpoint)
        args.basenet = None
        openpifpaf.network.Factory.base_name = None
    elif os.path.abspath(args.checkpoint) != os.path.abspath(network):
        LOG.warning('resume: network from --checkpoint %s, optimizer state from %s', args.checkpoint, optim)
    if not output_given(sys.argv[1:]):
        args.output = out
    args.resume_training = optim
    Resumed.log = args.output + '.log' if os.path.abspath(args.output) == os.path.abspath(out) else None
    LOG.info('resume: network %s, optimizer %s, writing %s', args.checkpoint, optim, args.output)


class Resumed:
    log = None  #: the log of the run being continued in place


def continue_log(plain_train_configure):
    """OpenPifPaf's ``logger.train_configure`` opens ``OUT.log`` with mode 'w'; a run resumed in place keeps
    the lines written before the kill and appends after them."""
    def train_configure(args):
        previous = None
        if Resumed.log and os.path.exists(Resumed.log):
            with open(Resumed.log, 'rb') as f:
                previous = f.read()
        plain_train_configure(args)
        if previous is None:
            return
        for handler in logging.getLogger('openpifpaf').handlers:
            if isinstance(handler, logging.FileHandler) \
               and handler.baseFilename == os.path.abspath(Resumed.log):
                handler.close()
                with open(Resumed.log, 'rb') as f:
                    current = f.read()
                with atomic_path(Resumed.log) as tmp_path, open(tmp_path, 'wb') as f:
                    f.write(previous + current)
                handler.mode = 'a'
                handler.stream = handler._open()  # pylint: disable=protected-access
    train_configure.continues_log = True
    return train_configure


def install():
    """Idempotent."""
    if not getattr(openpifpaf.logger.train_configure, 'continues_log', False):
        openpifpaf.logger.train_configure = continue_log(openpifpaf.logger.train_configure)
