"""SANL attention from the network's own category head (attention source ``category-head``), beyond the paper.

The paper feeds its SANL blocks with the Grad-CAM maps of a separate ResNet-18 classifier (the AttentionNet).  A
network that already has this plugin's category head can take the maps from that head instead, so that SANL
costs no second backbone (no extra parameters): a first pass through the same trunk, with every block at M = 0
(the plain non-local block), gives the trunk features; the category head's class weights read them out, and

* per stride (default): Grad-CAM of the image's predicted category at the input of each block (the last
  feature map of each stage), one backward pass from the class score down to the lowest block;
* ``--sanl-all-from-last-stride``: every block takes the last-layer map, which is the closed-form CAM
  (Zhou et al. 2016): no backward pass, and the network exports to ONNX.

The class score is the category field's logit of class c averaged over the image, *centered over the classes*
(logit_c minus the mean logit): the cross-entropy that trains the head fixes only the differences between
classes, not their common level, and centering keeps exactly what it learned.  The score is linear in the trunk
features, so at the last layer Grad-CAM is ReLU(sum_k w_ck A_k) / (h w) with the centered weights w, the
CAM.  The predicted category is the argmax of the same image-level logits.  The second pass, through the blocks
with these maps, gives the features that the heads use; the first pass leaves the BatchNorm statistics as they
were (in training mode it normalizes with the batch's statistics, like the second, but does not update the
running ones) and no parameter receives a gradient from it.
"""
import contextlib

import torch

from . import gradcam

SOURCE_NAME = 'category-head'


def class_weights(head):
    """(weight n x K, bias n) of a category head's 1x1 convolution per category, centered over the categories.

    With a pixel-shuffled field (upsample r > 1) a category's r*r sub-channels are averaged: the image mean of a
    category's field (ignoring the cropped border) is their mean."""
    n_classes = head.meta.n_fields
    weight = head.conv.weight.detach()
    weight = weight.reshape(n_classes, -1, weight.shape[1]).mean(dim=1)
    bias = head.conv.bias.detach().reshape(n_classes, -1).mean(dim=1)
    return weight - weight.mean(dim=0, keepdim=True), bias - bias.mean()


@contextlib.contextmanager
def unchanged_batchnorm_statistics(module):
    """Inside: BatchNorms in training mode normalize with the batch's statistics but keep their running ones."""
    saved = []
    for submodule in module.modules():
        if isinstance(submodule, torch.nn.modules.batchnorm._BatchNorm) and submodule.momentum is not None:
            saved.append((submodule, submodule.momentum))
            submodule.momentum = 0.0
    try:
        yield
    finally:
        for submodule, momentum in saved:
            submodule.momentum = momentum


def _logits(trunk, weight, bias):
    """Image-level centered logits B x n: the category field averaged over the image."""
    return torch.nn.functional.linear(torch.mean(trunk, dim=(2, 3)), weight.to(trunk.dtype), bias.to(trunk.dtype))


def maps(base, images, head):
    """{stage: B x 1 x h x w map} for every block of the SANL base network ``base`` (detached, non-negative).

    ``base.run_stages(x, maps=None, collect=True)`` runs the trunk with M = 0 and returns
    ``(trunk output, {stage: block input})``."""
    with unchanged_batchnorm_statistics(base):
        if base.all_from_last_stride:
            with torch.no_grad():
                weight, bias = class_weights(head)
                trunk, _ = base.run_stages(images)
                classes = torch.argmax(_logits(trunk, weight, bias), dim=1)
                cam = gradcam.class_activation_map(trunk, weight, classes)
            return {stage: cam for stage in base.block_after}

        def forward(x):  # runs outside inference mode (grad_cam leaves it): no inference tensor may enter
            weight, bias = class_weights(head)
            trunk, block_inputs = base.run_stages(x, collect=True)
            return _logits(trunk, weight, bias), [block_inputs[stage] for stage in base.block_after]

        stage_maps, _ = gradcam.grad_cam(forward, images)
    return dict(zip(base.block_after, stage_maps))
