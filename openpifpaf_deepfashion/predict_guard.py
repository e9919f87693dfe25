"""Predict on the readable images of a list: a missing, corrupt, truncated or non-image file is skipped.

OpenPifPaf's ``Predictor.images`` stops at the first file that PIL cannot read (``python -m openpifpaf.predict``
then ends with a traceback after the results before it).  With :func:`install`, the Predictor reads images
through :class:`SkippingImageList`: a file that cannot be read is logged as a warning naming it and the reason
(OpenPifPaf's commands log to stdout), and left out; the other images are predicted (any ``--batch-size``, any
``--loader-workers``).  In ``python -m openpifpaf.predict``, once every readable image is written, the command
names the skipped files on stderr and exits with status 1.  Called as an API, ``Predictor.images`` only warns and
skips (so ``Predictor.image`` of an unreadable file finds no result: ``StopIteration``).

Only ``openpifpaf.predictor`` sees the change (its ``datasets`` module is replaced by a stand-in), for every
checkpoint and dataset, not this plugin's alone; readable images are predicted exactly as before.
"""
import logging
import sys

import PIL.Image

import openpifpaf
import openpifpaf.predictor

LOG = logging.getLogger(__name__)

#: Meta key of an image that could not be read (its value: the reason); such an image has no tensors.
SKIPPED = 'skipped_unreadable'


class SkippingImageList(openpifpaf.datasets.ImageList):
    """OpenPifPaf's ImageList; a file that cannot be read yields only its meta, with the reason at ``SKIPPED``."""

    def __getitem__(self, index):
        image_path = self.image_paths[index]
        try:
            with PIL.Image.open(image_path) as opened:
                image = opened.convert('RGB')
        except Exception as e:  # pylint: disable=broad-except  # PIL raises many kinds for a bad file
            meta = {'dataset_index': index, 'file_name': image_path,
                    SKIPPED: '{}: {}'.format(type(e).__name__, e)}
            return (None, None, [], meta) if self.with_raw_image else (None, [], meta)

        # as OpenPifPaf's ImageList
        anns = []
        meta = {
            'dataset_index': index,
            'file_name': image_path,
        }
        processed_image, anns, meta = self.preprocess(image, anns, meta)
        if self.with_raw_image:
            return image, processed_image, anns, meta
        return processed_image, anns, meta


def collate_images_anns_meta(batch):
    """OpenPifPaf's collate of the readable images of ``batch``; the metas of the skipped ones follow theirs
    (``Predictor.enumerated_dataloader`` takes them out again)."""
    readable = [item for item in batch if SKIPPED not in item[-1]]
    skipped = [item[-1] for item in batch if SKIPPED in item[-1]]
    if not readable:
        return tuple([] for _ in batch[0][:-1]) + (skipped,)
    collated = openpifpaf.datasets.collate_images_anns_meta(readable)
    return tuple(collated[:-1]) + (list(collated[-1]) + skipped,)


class DatasetsForPredictor:
    """Stands in for ``openpifpaf.datasets`` inside openpifpaf.predictor; ImageList and its collate differ."""
    ImageList = SkippingImageList
    collate_images_anns_meta = staticmethod(collate_images_anns_meta)

    def __getattr__(self, name):
        return getattr(openpifpaf.datasets, name)


def in_predict_cli():
    """Whether this process runs ``python -m openpifpaf.predict``."""
    spec = getattr(sys.modules.get('__main__'), '__spec__', None)
    return getattr(spec, 'name', None) == 'openpifpaf.predict'


def without_skipped(enumerated_dataloader, skipped):
    """The batches of ``enumerated_dataloader`` without the metas of skipped images (appended to ``skipped``,
    with a warning each); a batch of skipped images only is left out."""
    for batch_i, item in enumerated_dataloader:
        metas = item[-1]
        if any(SKIPPED in meta for meta in metas):
            for meta in metas:
                if SKIPPED in meta:
                    LOG.warning('skipped %s, not a readable image (%s)', meta['file_name'], meta[SKIPPED])
                    skipped.append(meta['file_name'])
            metas = [meta for meta in metas if SKIPPED not in meta]
            if not metas:
                continue
            item = tuple(item[:-1]) + (metas,)
        yield batch_i, item


def install():
    """Idempotent: the Predictor skips unreadable images (and ``openpifpaf.predict`` then exits with status 1)."""
    if not isinstance(openpifpaf.predictor.datasets, DatasetsForPredictor):
        openpifpaf.predictor.datasets = DatasetsForPredictor()
    predictor_class = openpifpaf.Predictor
    if getattr(predictor_class.enumerated_dataloader, 'skips_unreadable', False):
        return
    plain_enumerated_dataloader = predictor_class.enumerated_dataloader

    def enumerated_dataloader(self, enumerated_dataloader):
        skipped = []
        yield from plain_enumerated_dataloader(self, without_skipped(enumerated_dataloader, skipped))
        if skipped and in_predict_cli():
            raise SystemExit('openpifpaf.predict: {} unreadable image{} skipped: {}'.format(
                len(skipped), 's' if len(skipped) > 1 else '', ', '.join(skipped)))

    enumerated_dataloader.skips_unreadable = True
    predictor_class.enumerated_dataloader = enumerated_dataloader
