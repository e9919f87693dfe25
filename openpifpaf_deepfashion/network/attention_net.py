"""AttentionNet (SANL paper, Fig. 1): a ResNet-18 garment-category classifier whose Grad-CAM maps for the
predicted category, at the last feature map of each stride (layer1..layer4: strides 4, 8, 16, 32), are the
spatial attention maps of the SANL blocks.

Attention sources implement a small interface, :class:`AttentionSource`: a module with
``maps(images) -> [4 maps]`` (B x 1 x h x w, non-negative, detached, from the lowest stride to the highest; any
resolution: the SANL block resizes and scales each map).  :class:`GradCamAttention` is the AttentionNet source.

The AttentionNet is trained by ``python -m openpifpaf_deepfashion.train_attention`` and stays frozen while the
landmark network trains: :meth:`AttentionNet.freeze` folds its BatchNorms into the convolutions (so neither
``train()`` nor OpenPifPaf's ``model_defaults``, which changes every BatchNorm's eps, alters it), switches
``requires_grad`` off and keeps it in eval mode.
"""
import torch
import torchvision

from .. import atomic
from ..errors import UserError
from . import gradcam

STRIDES = (4, 8, 16, 32)
CHECKPOINT_FORMAT = 'openpifpaf_deepfashion.attention_net'
N_CATEGORIES = 50


class AttentionCheckpointError(UserError, ValueError):
    """An attention checkpoint that cannot be used (the message names the file and what is wrong)."""


def _fuse_conv_bn(module):
    """Fold every (Conv2d, BatchNorm2d) pair of a torchvision ResNet into the convolution (eval mode)."""
    for name, child in list(module.named_children()):
        if isinstance(child, torch.nn.Sequential):
            items = list(child)
            for i in range(len(items) - 1):
                if isinstance(items[i], torch.nn.Conv2d) and isinstance(items[i + 1], torch.nn.BatchNorm2d):
                    items[i] = torch.nn.utils.fusion.fuse_conv_bn_eval(items[i], items[i + 1])
                    items[i + 1] = torch.nn.Identity()
            setattr(module, name, torch.nn.Sequential(*items))
            child = getattr(module, name)
        _fuse_conv_bn(child)
    for i in range(1, 4):
        conv, bn = getattr(module, 'conv{}'.format(i), None), getattr(module, 'bn{}'.format(i), None)
        if isinstance(conv, torch.nn.Conv2d) and isinstance(bn, torch.nn.BatchNorm2d):
            setattr(module, 'conv{}'.format(i), torch.nn.utils.fusion.fuse_conv_bn_eval(conv, bn))
            setattr(module, 'bn{}'.format(i), torch.nn.Identity())


class AttentionNet(torch.nn.Module):
    """torchvision ResNet-18 classifier over ``n_classes`` garment categories (50 for DeepFashion).

    Input: images normalized like OpenPifPaf's (ImageNet mean and std).  Class index k is category_id k + 1."""

    def __init__(self, n_classes=N_CATEGORIES, imagenet_weights=False):
        super().__init__()
        resnet = torchvision.models.resnet18(weights='IMAGENET1K_V1' if imagenet_weights else None)
        self.n_classes = n_classes
        self.stem = torch.nn.Sequential(resnet.conv1, resnet.bn1, resnet.relu, resnet.maxpool)
        self.layer1 = resnet.layer1
        self.layer2 = resnet.layer2
        self.layer3 = resnet.layer3
        self.layer4 = resnet.layer4
        self.fc = torch.nn.Linear(resnet.fc.in_features, n_classes)
        self.frozen = False

    def forward_features(self, images):
        """(logits B x n_classes, [layer1, layer2, layer3, layer4 outputs]: strides 4, 8, 16, 32)."""
        x = self.stem(images)
        features = []
        for layer in (self.layer1, self.layer2, self.layer3, self.layer4):
            x = layer(x)
            features.append(x)
        logits = self.fc(torch.mean(x, dim=(2, 3)))
        return logits, features

    def forward(self, images):  # pylint: disable=arguments-differ
        return self.forward_features(images)[0]

    def attention_maps(self, images, last_stride_only=False):
        """Grad-CAM maps for each image's predicted category at strides 4, 8, 16, 32 (4 detached tensors).

        ``last_stride_only``: return the stride-32 map four times, computed as the closed-form CAM (equal to
        Grad-CAM there after the SANL block's [0, 1] scaling; no backward pass, exportable to ONNX)."""
        if last_stride_only:
            with torch.no_grad():
                x = self.stem(images)
                for layer in (self.layer1, self.layer2, self.layer3, self.layer4):
                    x = layer(x)
                logits = self.fc(torch.mean(x, dim=(2, 3)))
                cam = gradcam.class_activation_map(x, self.fc.weight, torch.argmax(logits, dim=1))
            return [cam] * len(STRIDES)
        maps, _ = gradcam.grad_cam(self.forward_features, images)
        return maps

    def freeze(self):
        """Fold BatchNorms into convolutions, stop parameter gradients, stay in eval mode from now on."""
        if self.frozen:
            return self
        super().train(False)
        with torch.inference_mode(False), torch.no_grad():  # the folded weights must not be inference tensors
            _fuse_conv_bn(self)
        for parameter in self.parameters():
            parameter.requires_grad_(False)
        self.frozen = True
        return self

    def train(self, mode=True):
        return super().train(mode and not self.frozen)


def save_checkpoint(net, path, **info):
    """Write an AttentionNet checkpoint atomically (a state dict and plain info: loadable with weights_only)."""
    if net.frozen:
        raise ValueError('save the AttentionNet before freeze(): a frozen net has its BatchNorms folded')
    with atomic.atomic_path(path) as tmp_path:
        torch.save(dict(format=CHECKPOINT_FORMAT, arch='resnet18', n_classes=net.n_classes,
                        state_dict=net.state_dict(), **info), tmp_path)


def load_checkpoint(path):
    """The AttentionNet of a checkpoint written by ``train_attention`` (on the CPU, not frozen)."""
    try:
        checkpoint = torch.load(path, map_location='cpu', weights_only=True)
    except FileNotFoundError as e:
        raise AttentionCheckpointError('{}: attention checkpoint not found'.format(path)) from e
    except Exception as e:  # pylint: disable=broad-except
        raise AttentionCheckpointError('{}: not an attention checkpoint readable by torch.load: {}'.format(
            path, e)) from e
    if not isinstance(checkpoint, dict) or checkpoint.get('format') != CHECKPOINT_FORMAT:
        raise AttentionCheckpointError(
            '{}: not an AttentionNet checkpoint (no "format": "{}"); write one with '
            'python -m openpifpaf_deepfashion.train_attention'.format(path, CHECKPOINT_FORMAT))
    net = AttentionNet(n_classes=checkpoint['n_classes'])
    try:
        net.load_state_dict(checkpoint['state_dict'])
    except RuntimeError as e:
        raise AttentionCheckpointError('{}: weights do not fit a ResNet-18 AttentionNet: {}'.format(path, e)) from e
    return net


def is_exporting():
    """True while torch traces the network for ONNX / TorchScript / torch.export."""
    compiler_exporting = getattr(getattr(torch, 'compiler', None), 'is_exporting', lambda: False)
    return bool(torch.onnx.is_in_onnx_export() or torch.jit.is_tracing() or compiler_exporting())


EXPORT_REFUSAL = (
    'SANL attention from per-stride Grad-CAM maps needs a backward pass inside the forward pass, which '
    'ONNX/TorchScript cannot express: export a network trained with --sanl-all-from-last-stride '
    '(closed-form CAM of the stride-32 map) or a -nl network')


class AttentionSource(torch.nn.Module):
    """Interface of an attention source for the SANL blocks.

    ``maps(images)`` returns 4 maps B x 1 x h x w (non-negative, detached; strides 4, 8, 16, 32 in that order;
    any resolution) for the normalized image batch that the landmark backbone receives.  A source is a
    submodule of the base network, so OpenPifPaf's whole-module checkpoint carries its weights."""
    n_maps = len(STRIDES)

    def maps(self, images):
        raise NotImplementedError

    def forward(self, images):  # pylint: disable=arguments-differ
        return self.maps(images)


class GradCamAttention(AttentionSource):
    """Grad-CAM maps of a frozen :class:`AttentionNet` for its predicted category.

    ``last_stride_only``: every map is the stride-32 one (the paper's SANL(32)), computed as the closed-form
    CAM: no backward pass, and the network can be exported to ONNX.  The per-stride maps need a backward
    pass inside the forward, which ONNX cannot express: exporting refuses with a message."""

    def __init__(self, net: AttentionNet, last_stride_only=False):
        super().__init__()
        self.net = net.freeze()
        self.last_stride_only = last_stride_only

    def maps(self, images):
        if not self.last_stride_only and is_exporting():
            raise RuntimeError(EXPORT_REFUSAL)
        return self.net.attention_maps(images, last_stride_only=self.last_stride_only)
