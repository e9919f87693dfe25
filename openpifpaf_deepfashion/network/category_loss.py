"""Loss of the category head: cross-entropy on the logits (never on probabilities).

``'garment'`` readout: the cross-entropy summed over the cells that belong to a labelled garment (target >= 0)
and divided by the batch size, the normalization of OpenPifPaf's CIF and CAF losses, so that one lambda of 1
weighs it like them.  ``'image'`` readout (the seed report's): per image, the cross-entropy of the spatially
max-pooled logits against the category that covers most cells (its largest garment), over the batch size.
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
        if self.meta.readout == 'image':
            return [self.image_loss(x, t)]
        if not torch.any(t != IGNORE):
            return [None]
        return [torch.nn.functional.cross_entropy(x, t, ignore_index=IGNORE, reduction='sum') / x.shape[0]]

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
