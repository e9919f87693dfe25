"""Run an exported fashion network with ONNX Runtime (or TorchScript) and decode its fields into garments.

Export with OpenPifPaf's own command (the plugin's heads, fork normalization and ``-nl`` / ``-sanl`` base
networks need no extra option; the input size is fixed at export time, the batch size is not)::

    python -m openpifpaf.export_onnx --checkpoint model.pkl.epoch100 --outfile fashion.onnx \\
        --input-width 321 --input-height 321

then run it on images and print their garments (one JSON line per image)::

    python -m openpifpaf_deepfashion.export --onnx fashion.onnx photo.jpg [--checkpoint model.pkl.epoch100]

In Python: :func:`run_onnx` gives the fields in the layout of the PyTorch network's output (one array per head,
batch first: CIF, CAF, then the category field when the network has one) and :func:`decode` turns them into
:class:`~.deepfashion.garment.GarmentAnnotation` lists with the plugin's decoder.  Decoding needs the head metas:
those of the checkpoint (:func:`head_metas_from_checkpoint`), or, with no checkpoint at hand, the plugin's
metas matched to the ONNX outputs (:func:`head_metas_from_onnx`: skeleton from the number of CAF fields, stride
from the field size).  :func:`export_onnx` exports from Python, :func:`trace_torchscript` traces for TorchScript
(fixed size too; OpenPifPaf's ``export_torchscript`` does not work for these networks).

A ``-sanl`` network whose attention comes from per-stride Grad-CAM maps does not export (it needs a backward
pass inside its forward pass); ``openpifpaf.export_onnx`` stops with a message saying so.  With
``--sanl-all-from-last-stride`` (closed-form CAM) it exports.
"""
import argparse
import json
import math

import numpy as np
import PIL.Image
import torch

import openpifpaf  # (registers this plugin first: no import cycle)
import openpifpaf.export_onnx

from .deepfashion import constants, heads


def onnx_session(path, providers=('CPUExecutionProvider',)):
    """An ONNX Runtime session of an exported network (``path.data``, the weights, must lie beside it)."""
    try:
        import onnxruntime  # pylint: disable=import-outside-toplevel
    except ImportError as e:
        raise ImportError('running an ONNX export needs onnxruntime: pip install onnxruntime') from e
    return onnxruntime.InferenceSession(str(path), providers=list(providers))


def input_size(session):
    """(width, height) of the images the exported network takes (fixed when it was exported)."""
    shape = session.get_inputs()[0].shape
    return int(shape[3]), int(shape[2])


def run_onnx(session, image_batch):
    """Fields of a normalized image batch (B x 3 x H x W, tensor or array) as the PyTorch network returns them
    in eval mode: a list with one float32 array per head, batch first."""
    if isinstance(image_batch, torch.Tensor):
        image_batch = image_batch.detach().cpu().numpy()
    image_batch = np.ascontiguousarray(image_batch, dtype=np.float32)
    width, height = input_size(session)
    if image_batch.ndim != 4 or image_batch.shape[1:] != (3, height, width):
        raise ValueError('the exported network takes B x 3 x {} x {} images, not {}: re-export it with '
                         '--input-width/--input-height or pad the images'.format(height, width, image_batch.shape))
    return session.run(None, {session.get_inputs()[0].name: image_batch})


def _non_inplace_heads():
    """OpenPifPaf's composite-field heads without in-place operations (which tracing cannot take), restorable."""
    classes = (openpifpaf.network.heads.CompositeField3, openpifpaf.network.heads.CompositeField4)
    saved = [cls.inplace_ops for cls in classes]
    for cls in classes:
        cls.inplace_ops = False

    def restore():
        for cls, value in zip(classes, saved):
            cls.inplace_ops = value
    return restore


def export_onnx(net, outfile, width=129, height=97):
    """``openpifpaf.export_onnx.apply`` from Python, leaving the process as it was: the heads' in-place setting
    (apply turns it off for good), and OpenPifPaf's cache of index fields, where torch's exporter leaves a fake
    tensor that breaks the next forward pass without in-place ops at that size ('.numpy() is not supported for
    tensor subclasses')."""
    restore = _non_inplace_heads()
    try:
        openpifpaf.export_onnx.apply(net, str(outfile), verbose=False, input_w=width, input_h=height)
    finally:
        restore()
        openpifpaf.network.heads.index_field_torch.cache_clear()


def trace_torchscript(net, width, height):
    """``torch.jit.trace`` of the network in eval mode for width x height images (like ONNX: fixed size).

    OpenPifPaf's heads make their index field a trace constant, cached after the first call, so the trace's
    own re-run check (``check_trace``) reports differing graphs; it is skipped here (the graphs compute the
    same)."""
    restore = _non_inplace_heads()
    try:
        net.eval()
        with torch.no_grad():
            return torch.jit.trace(net, torch.zeros(1, 3, height, width), check_trace=False)
    finally:
        restore()


def head_metas_from_checkpoint(path):
    """The head metas of an OpenPifPaf checkpoint (with head_index and stride set): exactly what it decodes.
    The checkpoint is a pickle: load only checkpoints you trust."""
    checkpoint = torch.load(path, map_location='cpu', weights_only=False)
    return checkpoint['model'].head_metas


def head_metas_from_onnx(session):
    """The plugin's head metas that fit the exported network's outputs (CIF, CAF[, category]).

    The skeleton follows from the number of CAF fields, each head's stride from its field height (the category
    field may have its own stride)."""
    outputs = [o.shape for o in session.get_outputs()]
    _, height = input_size(session)
    field_heights = [shape[-2] for shape in outputs]
    skeletons = [name for name, skeleton in sorted(constants.SKELETONS.items())
                 if len(outputs) >= 2 and outputs[1][1] == len(skeleton)]
    if len(outputs) not in (2, 3) or outputs[0][1] != len(constants.KEYPOINTS) or not skeletons \
            or (len(outputs) == 3 and outputs[2][1] != len(constants.CATEGORIES)) \
            or not all(isinstance(h, int) and h >= 2 for h in field_heights):
        raise ValueError('outputs {} are not those of a deepfashion network: decode with the checkpoint\'s '
                         'head metas'.format(outputs))
    metas = heads.landmark_metas(skeletons[0], 1) + ([heads.category_meta(1)] if len(outputs) == 3 else [])
    for index, (meta, field_height) in enumerate(zip(metas, field_heights)):
        meta.head_index = index
        meta.base_stride = 2 ** round(math.log2((height - 1) / (field_height - 1)))  # strides: powers of 2
    return metas


def decode(fields, head_metas):
    """Garments per image (a list of lists) from batch fields (:func:`run_onnx`'s list, or the network's)."""
    decoder = openpifpaf.decoder.factory(head_metas)
    fields = [torch.as_tensor(np.asarray(field)) for field in fields]
    return [decoder([field[i] for field in fields]) for i in range(fields[0].shape[0])]


def preprocess(image, width, height):
    """A PIL image fitted (aspect kept) and centre-padded into width x height and normalized: (3 x H x W tensor,
    meta for ``GarmentAnnotation.inverse_transform``)."""
    w, h = image.size
    long_edge = int(max(w, h) * min(width / w, height / h))
    transform = openpifpaf.transforms.Compose([
        openpifpaf.transforms.NormalizeAnnotations(),
        openpifpaf.transforms.RescaleAbsolute(long_edge),
        openpifpaf.transforms.CenterPad((width, height)),
        openpifpaf.transforms.EVAL_TRANSFORM,
    ])
    tensor, _, meta = transform(image.convert('RGB'), [], None)
    return tensor, meta


def predict(session, image, head_metas):
    """Garments of one PIL image in its own pixel coordinates."""
    tensor, meta = preprocess(image, *input_size(session))
    garments = decode(run_onnx(session, tensor.unsqueeze(0)), head_metas)[0]
    return [garment.inverse_transform(meta) for garment in garments]


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m openpifpaf_deepfashion.export', description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('images', nargs='+', help='image files')
    parser.add_argument('--onnx', required=True, help='network exported by python -m openpifpaf.export_onnx')
    parser.add_argument('--checkpoint', default=None,
                        help='the checkpoint that was exported, for its head metas (default: the plugin\'s '
                             'metas matched to the ONNX outputs)')
    openpifpaf.decoder.cli(parser)
    args = parser.parse_args(argv)
    openpifpaf.decoder.configure(args)

    session = onnx_session(args.onnx)
    head_metas = head_metas_from_checkpoint(args.checkpoint) if args.checkpoint else head_metas_from_onnx(session)
    for path in args.images:
        with PIL.Image.open(path) as image:
            garments = predict(session, image, head_metas)
        print(json.dumps({'image': path, 'garments': [g.json_data() for g in garments]}))


if __name__ == '__main__':
    main()
