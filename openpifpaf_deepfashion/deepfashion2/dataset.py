"""A torch Dataset over COCO-style DeepFashion2 json (the converter's output, the KGDet demo, MMPose's sample):
one image with all its garments per item.

The first dataset's ``DeepFashionCoco`` checks 8-slot keypoints and filters by DeepFashion's garment types, so
this one reads the json through :func:`.coco_json.read` (294 slots, categories 1-13, exact messages) instead.
"""
import copy
import logging
import os

import torch.utils.data

import openpifpaf

from ..deepfashion.dataset import AnnotationFileError, read_image
from . import coco_json, merged
from .annos import DeepFashion2FormatError

LOG = logging.getLogger(__name__)


def load_document(path):
    """The checked document of a COCO-style DeepFashion2 json; any problem raises AnnotationFileError."""
    if not os.path.isfile(path):
        raise AnnotationFileError('{}: annotation file not found'.format(path))
    try:
        document, _ = coco_json.read(path)
    except DeepFashion2FormatError as e:
        raise AnnotationFileError(str(e)) from e
    return document


class DeepFashion2Coco(torch.utils.data.Dataset):
    """Images with their garments.

    :param only_annotated: keep only images with a garment with a labelled landmark (training).
    :param blank_unreadable: an unreadable image raises (training), or (evaluation) is logged and replaced by a
        grey image of its size, so that its garments count as not detected.
    :param landmarks: ``'all'``: the garments' 294-slot keypoints; ``'merged'``: as the merged landmarks
        (:mod:`.merged`), for the targets of a network trained on them.
    """

    def __init__(self, image_dir, ann_file, *, preprocess=None, only_annotated=True, n_images=None,
                 blank_unreadable=False, landmarks='all'):
        super().__init__()
        self.image_dir = image_dir
        self.landmarks = landmarks
        self.ann_file = ann_file
        self.blank_unreadable = blank_unreadable
        self.document = load_document(ann_file)
        self.preprocess = preprocess or openpifpaf.transforms.EVAL_TRANSFORM

        self.anns_by_image = {image['id']: [] for image in self.document['images']}
        for ann in self.document['annotations']:
            self.anns_by_image[ann['image_id']].append(ann)
        self.images = self.document['images']
        if only_annotated:
            self.images = [image for image in self.images
                           if any(not ann.get('iscrowd') and any(v > 0 for v in ann['keypoints'][2::3])
                                  for ann in self.anns_by_image[image['id']])]
        if n_images:
            self.images = self.images[:n_images]
        LOG.info('%s: %d images, %d garments', ann_file, len(self.images),
                 sum(len(self.anns_by_image[image['id']]) for image in self.images))

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        image_info = self.images[index]
        # polygons are not needed by the targets: not copied
        anns = [copy.deepcopy({key: value for key, value in ann.items() if key != 'segmentation'})
                for ann in self.anns_by_image[image_info['id']]]
        if self.landmarks == 'merged':
            for ann in anns:
                ann['keypoints'] = merged.to_merged(ann['keypoints'], ann['category_id'])
        image, meta = read_image(self.ann_file, self.image_dir, image_info, index, self.blank_unreadable)
        return self.preprocess(image, anns, meta)
