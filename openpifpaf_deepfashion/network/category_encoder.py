"""Training targets of the category head, two channels per cell: the 0-based category of the garment the cell
belongs to (:func:`.garment_cells.cell_owners` over the garments' regions, :func:`.garment_cells.garment_region`
of the meta's ``region``), or -1 (ignored by the loss) for background, padding and garments without a category
label (FLD's generic ids); and the index of that garment in the image (-1 where the category is ignored), which
the ``'pooled'`` loss averages over."""
import dataclasses

import numpy as np
import torch

from .category_head import Category
from .garment_cells import NO_GARMENT, cell_owners, garment_region

IGNORE = -1


@dataclasses.dataclass
class CategoryEncoder:
    meta: Category

    def __call__(self, image, anns, meta):
        height, width = image.shape[1:3]
        stride = self.meta.stride
        field_shape = ((height - 1) // stride + 1, (width - 1) // stride + 1)
        garments = [ann for ann in anns
                    if not ann.get('iscrowd') and 1 <= int(ann.get('category_id', 0)) <= self.meta.n_fields]
        regions = [garment_region(self.meta.region, ann.get('keypoints', ()), ann['bbox']) for ann in garments]
        owners = cell_owners(regions, field_shape, stride)
        labels = np.array([int(ann['category_id']) - 1 for ann in garments], dtype=np.int64)
        if 'valid_area' in meta:
            x, y, w, h = (float(v) / stride for v in meta['valid_area'])
            rows, columns = np.arange(field_shape[0]), np.arange(field_shape[1])
            outside = ((rows < y) | (rows > y + h))[:, None] | ((columns < x) | (columns > x + w))[None, :]
            owners[outside] = NO_GARMENT
        owned = owners != NO_GARMENT
        target = np.full((2,) + field_shape, IGNORE, dtype=np.int64)
        target[0][owned] = labels[owners[owned]]
        target[1][owned] = owners[owned]
        return torch.from_numpy(target)
