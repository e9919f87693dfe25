"""Loss of the category head: cross-entropy on the logits (never on probabilities).

``'pooled'`` readout: per labelled garment, the cross-entropy of the mean of the logits over its cells (the
garment's own classification, as a classifier's global average pooling), weighted by its number of cells, summed
and divided by the batch size.  The weight gives the loss the scale of the per-cell one (equal where every cell
of a garment holds the same logits), so that one lambda of 1 weighs it like CIF and CAF, whose losses are summed
over cells and divided by the batch size too.  ``'garment'`` readout: the cross-entropy of every cell that
belongs to a labelled garment, summed and divided by the batch size.  ``'image'`` readout (the seed report's):
per image, the cross-entropy of the spatially max-pooled logits against the category that covers most cells (its
largest garment), over the batch size.
Its weight comes from OpenPifPaf's ``--lambdas`` like every head's; a batch without a labelled garment gives no
loss (None).
"""
import argparse

import torch

from .category_encoder import IGNORE


class CategoryLoss(torch.nn.Module):
    def __init__(self, meta):
        super().__init__()
        self.meta = meta
        self.field_names = ['{}.{}.ce'.format(meta.dataset, meta.name)]

    @classmethod
    def cli(cls, parser: argparse.ArgumentParser):
        """No options of its own: weight through --lambdas."""

    @classmethod
    def configure(cls, args: argparse.Namespace):
        """No options of its own."""

    def forward(self, x, t):  # pylint: disable=arguments-differ
        if t is None:
            return [None]
        t = t.to(device=x.device, dtype=torch.long)
        labels, owners = t[:, 0], t[:, 1]
        if self.meta.readout == 'image':
            return [self.image_loss(x, labels)]
        if not torch.any(labels != IGNORE):
            return [None]
        if self.meta.readout == 'pooled':
            return [pooled_loss(x, labels, owners)]
        return [torch.nn.functional.cross_entropy(x, labels, ignore_index=IGNORE, reduction='sum') / x.shape[0]]

    def image_loss(self, x, t):
        labels = image_labels(t, self.meta.n_fields)
        keep = labels != IGNORE
        if not torch.any(keep):
            return None
        pooled = torch.amax(x, dim=(2, 3))
        return torch.nn.functional.cross_entropy(pooled[keep], labels[keep], reduction='sum') / x.shape[0]


def image_labels(t, n_categories):
    """Per image of a (B, H, W) target, the category that covers most cells, or IGNORE."""
    valid = t != IGNORE
    counts = torch.nn.functional.one_hot(torch.where(valid, t, 0), n_categories)
    counts = (counts * valid.unsqueeze(-1)).sum(dim=(1, 2))
    labels = torch.argmax(counts, dim=1)
    return torch.where(valid.any(dim=2).any(dim=1), labels, torch.full_like(labels, IGNORE))


def pooled_loss(x, labels, owners):
    """Cross-entropy of each garment's mean logits, weighted by its number of cells, over the batch size.

    x: (B, C, H, W) logits; labels, owners: (B, H, W) category and garment index per cell (IGNORE elsewhere)."""
    labelled = labels != IGNORE
    images = torch.arange(x.shape[0], device=x.device)[:, None, None].expand_as(owners)
    garment_keys = images[labelled] * (int(owners.max()) + 1) + owners[labelled]
    _, garment_of_cell = torch.unique(garment_keys, return_inverse=True)
    n_garments = int(garment_of_cell.max()) + 1
    cell_logits = x.permute(0, 2, 3, 1)[labelled]
    sums = torch.zeros((n_garments, x.shape[1]), dtype=x.dtype, device=x.device).index_add(
        0, garment_of_cell, cell_logits)
    n_cells = torch.bincount(garment_of_cell, minlength=n_garments)
    garment_labels = torch.zeros(n_garments, dtype=torch.long, device=x.device).scatter(
        0, garment_of_cell, labels[labelled])
    cross_entropy = torch.nn.functional.cross_entropy(sums / n_cells[:, None], garment_labels, reduction='none')
    return torch.sum(cross_entropy * n_cells) / x.shape[0]
