"""A torch Dataset over this plugin's COCO json (one image, all its garments, per item).

OpenPifPaf's ``CocoDataset`` selects images through pycocotools' ``getImgIds(catIds=...)``, which returns
the images holding *all* listed categories; with 50 garment categories it selects nothing.  This dataset
selects by garment type instead, and keeps every custom annotation field (clothes_type, variation_type,
category_id) for the targets and the metric.
"""
import copy
import json
import logging
import os

import torch.utils.data
from PIL import Image

import openpifpaf

from ..errors import UserError
from . import constants

LOG = logging.getLogger(__name__)

GARMENT_TYPE_CHOICES = {
    'all': (constants.UPPER, constants.LOWER, constants.FULL),
    'upper': (constants.UPPER,),
    'lower': (constants.LOWER,),
    'full': (constants.FULL,),
}


class AnnotationFileError(UserError, ValueError):
    """An annotation json that this plugin cannot use (the message names the file and the field)."""


def load_annotations(path, clothes_types=GARMENT_TYPE_CHOICES['all']):
    """Load a COCO keypoint json, keep the garments of the given types, check the fields we need.

    Returns the document with its ``annotations`` filtered (images are all kept)."""
    try:
        with open(path, encoding='utf-8') as f:
            document = json.load(f)
    except FileNotFoundError as e:
        raise AnnotationFileError('{}: annotation file not found'.format(path)) from e
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise AnnotationFileError('{}: not a json file: {}'.format(path, e)) from e
    for key in ('images', 'annotations'):
        if key not in document:
            raise AnnotationFileError('{}: no "{}" list'.format(path, key))
    n_slots = len(constants.KEYPOINTS)
    kept = []
    for i, ann in enumerate(document['annotations']):
        if len(ann.get('keypoints', ())) != 3 * n_slots:
            raise AnnotationFileError(
                '{}: annotations[{}] (id {}): "keypoints" must hold {} values (8 x, y, v), got {}'.format(
                    path, i, ann.get('id'), 3 * n_slots, len(ann.get('keypoints', ()))))
        if constants.annotation_clothes_type(ann) in clothes_types:
            kept.append(ann)
    document['annotations'] = kept
    return document


class DeepFashionCoco(torch.utils.data.Dataset):
    """Images with their garments from a COCO json of this plugin.

    :param only_annotated: drop images without a garment that has at least ``min_kp_anns`` landmarks
        labelled (training); keep every image otherwise (evaluation).
    :param blank_unreadable: an image that cannot be read raises (training), or (evaluation) is logged as an
        error and replaced by a grey image of its size, so that its garments count as not detected and
        ``meta['image_unreadable']`` is set (the metric reports how many).
    """

    def __init__(self, image_dir, ann_file, *, preprocess=None, clothes_types=GARMENT_TYPE_CHOICES['all'],
                 only_annotated=True, min_kp_anns=1, n_images=None, blank_unreadable=False):
        super().__init__()
        self.blank_unreadable = blank_unreadable
        self.image_dir = image_dir
        self.ann_file = ann_file
        self.document = load_annotations(ann_file, clothes_types)
        self.preprocess = preprocess or openpifpaf.transforms.EVAL_TRANSFORM

        self.anns_by_image = {image['id']: [] for image in self.document['images']}
        for ann in self.document['annotations']:
            if ann['image_id'] not in self.anns_by_image:
                raise AnnotationFileError('{}: annotation {} names image_id {}, which is not in "images"'.format(
                    ann_file, ann.get('id'), ann['image_id']))
            self.anns_by_image[ann['image_id']].append(ann)

        self.images = self.document['images']
        if only_annotated:
            self.images = [image for image in self.images
                           if sum(1 for ann in self.anns_by_image[image['id']]
                                  if not ann.get('iscrowd') and any(v > 0 for v in ann['keypoints'][2::3]))
                           >= min_kp_anns]
        if n_images:
            self.images = self.images[:n_images]
        LOG.info('%s: %d images, %d garments', ann_file, len(self.images),
                 sum(len(self.anns_by_image[image['id']]) for image in self.images))

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        image_info = self.images[index]
        anns = copy.deepcopy(self.anns_by_image[image_info['id']])
        image, meta = read_image(self.ann_file, self.image_dir, image_info, index, self.blank_unreadable)
        return self.preprocess(image, anns, meta)


def read_image(ann_file, image_dir, image_info, index, blank_unreadable):
    """(RGB image, OpenPifPaf meta) of one image entry of ``ann_file``.

    An unreadable image raises :class:`AnnotationFileError` naming the json and the file, or, with
    ``blank_unreadable`` (evaluation), becomes a grey image of the entry's size marked ``image_unreadable``."""
    local_file_path = os.path.join(image_dir, image_info['file_name'])
    meta = {
        'dataset_index': index,
        'image_id': image_info['id'],
        'file_name': image_info['file_name'],
        'local_file_path': local_file_path,
    }
    try:
        with open(local_file_path, 'rb') as f:
            image = Image.open(f).convert('RGB')
    except (OSError, ValueError) as e:
        message = '{}: image {} (id {}) cannot be read from {}: {}'.format(
            ann_file, image_info['file_name'], image_info['id'], local_file_path, e)
        if not blank_unreadable or not image_info.get('width') or not image_info.get('height'):
            raise AnnotationFileError(message) from e
        LOG.error('%s; evaluated as a blank image (its garments count as not detected)', message)
        image = Image.new('RGB', (image_info['width'], image_info['height']), (127, 127, 127))
        meta['image_unreadable'] = True
    return image, meta
