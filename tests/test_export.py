"""Export: the ONNX model (OpenPifPaf's export_onnx) run with ONNX Runtime, and the TorchScript trace, give the
PyTorch network's fields; decoding the ONNX fields gives the PyTorch fields' garments.

Networks are built in-process with random, fixed weights (no training).  The head biases are raised so that the
random fields are confident and wide enough to decode into garments."""
import argparse
import io
import json
import os
import subprocess
import sys

import numpy as np
import PIL.Image
import pytest
import torch

import openpifpaf

from openpifpaf_deepfashion import export
from openpifpaf_deepfashion.deepfashion import heads
from openpifpaf_deepfashion.network import attention_net, category_head, sanl, sanl_basenets

pytest.importorskip('onnxruntime')

WIDTH, HEIGHT = 81, 65  # multiples of the stride 16, plus 1
#: max |exported - PyTorch| allowed per field, relative to the field's largest magnitude (at least 1).  Measured
#: (resnet18, resnet18-nl, resnet18-sanl last stride): below 1e-5 for CIF and CAF, below 1e-6 for the category
#: probabilities; TorchScript: 0.
TOLERANCE = 1e-4
DECODE_OPTIONS = ['--seed-threshold=0.2', '--instance-threshold=0.0']  # for the random networks' fields
UTILS = openpifpaf.decoder.utils


@pytest.fixture(autouse=True)
def keep_globals(monkeypatch):
    """OpenPifPaf's class-level settings that building, exporting and configuring the decoder change."""
    monkeypatch.setattr(openpifpaf.network.basenetworks.Resnet, 'pretrained', False)
    for cls in (openpifpaf.network.heads.CompositeField3, openpifpaf.network.heads.CompositeField4):
        monkeypatch.setattr(cls, 'inplace_ops', cls.inplace_ops)
    monkeypatch.setattr(sanl_basenets.SanlBase, 'attention_checkpoint', None)
    monkeypatch.setattr(sanl_basenets.SanlBase, 'all_from_last_stride', False)
    monkeypatch.setattr(sanl_basenets.SanlBase, 'attention_source', 'attention-net')
    monkeypatch.setattr(openpifpaf.decoder.CifDet, 'instance_threshold', openpifpaf.decoder.CifDet.instance_threshold)
    thresholds = (UTILS.CifSeeds.get_threshold(), UTILS.CifDetSeeds.get_threshold(), UTILS.CifHr.get_threshold(),
                  UTILS.CafScored.get_default_score_th(), UTILS.nms.Keypoints.get_instance_threshold())
    yield
    UTILS.CifSeeds.set_threshold(thresholds[0])
    UTILS.CifDetSeeds.set_threshold(thresholds[1])
    UTILS.CifHr.set_threshold(thresholds[2])
    UTILS.CafScored.set_default_score_th(thresholds[3])
    UTILS.nms.Keypoints.set_instance_threshold(thresholds[4])
    openpifpaf.network.heads.index_field_torch.cache_clear()  # no tensor of an export left for other tests


def configure_decoder(options=()):
    parser = argparse.ArgumentParser()
    openpifpaf.decoder.cli(parser)
    openpifpaf.decoder.configure(parser.parse_args(list(DECODE_OPTIONS) + list(options)))


def network(base_name):
    """A deepfashion network with random, fixed weights in eval mode: CIF and CAF at stride 8, the category field
    at the trunk's stride 16 (the datamodule's default with --deepfashion-upsample=2), fork normalization."""
    torch.manual_seed(0)
    metas = heads.landmark_metas('B', 2) + [heads.category_meta(1)]
    net, _ = openpifpaf.network.Factory(base_name=base_name).factory(head_metas=metas)
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, sanl.NonLocalBlock):  # new blocks are the identity: make them count
                module.bn.weight.uniform_(0.05, 0.15)
                module.bn.bias.uniform_(-0.1, 0.1)
        for head in net.head_nets[:2]:  # channel = (field * components + component) * upsample^2 + sub-pixel
            component = torch.arange(head.conv.bias.numel()) // head.meta.upsample_stride ** 2 % head.n_components
            head.conv.bias[component == 1] += 2.0  # confidences
            head.conv.bias[component >= head.n_components - head.meta.n_scales] += 3.0  # scales
    return net.eval()


def images(batch=2):
    torch.manual_seed(1)
    return torch.randn(batch, 3, HEIGHT, WIDTH)


def pytorch_fields(net, image_batch):
    with torch.no_grad():
        return [field.numpy() for field in net(image_batch)]


def assert_same_fields(expected, fields, label):
    """Every field within TOLERANCE (relative to its scale); prints the measured differences."""
    assert len(fields) == len(expected)
    differences = []
    for index, (want, got) in enumerate(zip(expected, fields)):
        got = np.asarray(got)
        assert got.shape == want.shape, index
        assert np.array_equal(np.isnan(got), np.isnan(want)), index
        scale = max(1.0, float(np.nanmax(np.abs(want))))
        difference = float(np.nanmax(np.abs(got - want)))
        differences.append(difference)
        assert difference <= TOLERANCE * scale, (label, index, difference, scale)
    print('{}: max |exported - PyTorch| per field: {}'.format(label, ['{:.1e}'.format(d) for d in differences]))


def assert_same_garments(expected, garments):
    assert len(garments) == len(expected)
    unmatched = list(garments)
    for garment in expected:
        match = min(unmatched, key=lambda g, want=garment: float(np.abs(g.data - want.data).max()))
        assert float(np.abs(match.data - garment.data).max()) < 1e-3
        assert match.category_id == garment.category_id
        assert match.score == pytest.approx(garment.score, abs=1e-4)
        unmatched.remove(match)


@pytest.fixture(scope='module')
def exported(tmp_path_factory):
    """(network, checkpoint, onnx file): a resnet18 deepfashion network exported by the real command."""
    work = tmp_path_factory.mktemp('export')
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(openpifpaf.network.basenetworks.Resnet, 'pretrained', False)
        net = network('resnet18')
    checkpoint = str(work / 'fashion.pkl')
    torch.save({'model': net, 'epoch': 0, 'meta': {}}, checkpoint)
    outfile = str(work / 'fashion.onnx')
    result = subprocess.run(
        [sys.executable, '-m', 'openpifpaf.export_onnx', '--checkpoint=' + checkpoint, '--outfile=' + outfile,
         '--input-width={}'.format(WIDTH), '--input-height={}'.format(HEIGHT)],
        cwd=str(work), capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return net, checkpoint, outfile


def test_onnx_fields_equal_pytorch_fields(exported):
    net, _, outfile = exported
    session = export.onnx_session(outfile)
    assert export.input_size(session) == (WIDTH, HEIGHT)
    image_batch = images(batch=2)  # the batch size is dynamic
    assert_same_fields(pytorch_fields(net, image_batch), export.run_onnx(session, image_batch), 'resnet18')
    with pytest.raises(ValueError, match='--input-width'):
        export.run_onnx(session, torch.zeros(1, 3, HEIGHT + 16, WIDTH))


def test_decoding_onnx_fields_gives_the_pytorch_garments(exported):
    net, _, outfile = exported
    configure_decoder()
    image_batch = images(batch=2)
    expected = export.decode(pytorch_fields(net, image_batch), net.head_metas)
    garments = export.decode(export.run_onnx(export.onnx_session(outfile), image_batch), net.head_metas)
    assert sum(len(g) for g in expected) >= 10
    assert any((g.data[:, 2] > 0).sum() >= 4 for g in expected[0] + expected[1])  # linked by CAF
    assert all(g.category_id is not None for g in expected[0])
    for want, got in zip(expected, garments):
        assert_same_garments(want, got)


def test_head_metas_from_onnx_match_the_checkpoint(exported):
    net, checkpoint, outfile = exported
    from_onnx = export.head_metas_from_onnx(export.onnx_session(outfile))
    from_checkpoint = export.head_metas_from_checkpoint(checkpoint)
    for metas in (from_onnx, from_checkpoint):
        assert [(m.name, m.head_index, m.stride, m.n_fields) for m in metas] == \
            [(m.name, m.head_index, m.stride, m.n_fields) for m in net.head_metas]
    assert [m.stride for m in from_onnx] == [8, 8, 16]
    assert from_onnx[1].skeleton == net.head_metas[1].skeleton


def test_cli_prints_the_same_garments_with_or_without_the_checkpoint(exported, tmp_path, capsys):
    _, checkpoint, outfile = exported
    image = str(tmp_path / 'photo.jpg')
    PIL.Image.fromarray((np.random.RandomState(0).rand(150, 120, 3) * 255).astype(np.uint8)).save(image)
    outputs = []
    for extra in ([], ['--checkpoint=' + checkpoint]):
        torch.manual_seed(0)  # the padding colour
        export.main([image, '--onnx=' + outfile] + DECODE_OPTIONS + extra)
        outputs.append(json.loads(capsys.readouterr().out.strip().splitlines()[-1]))
    assert outputs[0] == outputs[1]
    assert outputs[0]['image'] == image and outputs[0]['garments']
    for garment in outputs[0]['garments']:
        assert len(garment['keypoints']) == 24 and 1 <= garment['category_id'] <= 50
        x, y, w, h = garment['bbox']
        assert -w <= x <= 120 and -h <= y <= 150  # in the photo's own pixels (150 high, 120 wide)


def test_torchscript_trace_equals_pytorch(exported, monkeypatch):
    net, _, _ = exported
    image_batch = images(batch=2)
    expected = pytorch_fields(net, image_batch)
    buffer = io.BytesIO()
    torch.jit.save(export.trace_torchscript(net, WIDTH, HEIGHT), buffer)
    buffer.seek(0)
    loaded = torch.jit.load(buffer)
    with torch.no_grad():
        assert_same_fields(expected, [f.numpy() for f in loaded(image_batch)], 'TorchScript')
    # traced with gradients on, fork normalization's autograd.Function stays out of the trace
    monkeypatch.setattr(openpifpaf.network.heads.CompositeField4, 'inplace_ops', False)
    torch.jit.save(torch.jit.trace(net, image_batch, check_trace=False), io.BytesIO())


def export_and_compare(net, path, label):
    image_batch = images(batch=1)
    expected = pytorch_fields(net, image_batch)
    export.export_onnx(net, path, WIDTH, HEIGHT)
    assert_same_fields(expected, export.run_onnx(export.onnx_session(path), image_batch), label)
    assert_same_fields(expected, pytorch_fields(net, image_batch), label + ' eager after export')


def test_non_local_basenet_exports(tmp_path):
    net = network('resnet18-nl')
    assert len(net.base_net.nl_blocks) == 4
    export_and_compare(net, str(tmp_path / 'nl.onnx'), 'resnet18-nl')


@pytest.fixture
def attention_checkpoint(tmp_path, monkeypatch):
    torch.manual_seed(2)
    path = str(tmp_path / 'attention.pt')
    attention_net.save_checkpoint(attention_net.AttentionNet(), path)
    monkeypatch.setattr(sanl_basenets.SanlBase, 'attention_checkpoint', path)
    return path


def test_sanl_with_per_stride_grad_cam_refuses_with_the_reason(attention_checkpoint, tmp_path):
    net = network('resnet18-sanl')
    with pytest.raises(Exception, match='needs a backward pass inside the forward pass') as error:
        export.export_onnx(net, str(tmp_path / 'sanl.onnx'), WIDTH, HEIGHT)
    assert '--sanl-all-from-last-stride' in str(error.value)


def test_sanl_with_last_stride_cam_exports(attention_checkpoint, tmp_path, monkeypatch):
    monkeypatch.setattr(sanl_basenets.SanlBase, 'all_from_last_stride', True)
    monkeypatch.setattr(sanl_basenets.SanlBase, 'subsample', 2)  # pooled keys (the bottleneck ResNets' default)
    net = network('resnet18-sanl')
    assert net.base_net.attention.last_stride_only
    assert {block.subsample for block in net.base_net.nl_blocks.values()} == {2}
    export_and_compare(net, str(tmp_path / 'sanl32.onnx'), 'resnet18-sanl (last stride)')
    assert os.path.exists(str(tmp_path / 'sanl32.onnx'))


def test_sanl_from_the_category_head_exports_with_last_stride_cam_only(tmp_path, monkeypatch):
    monkeypatch.setattr(sanl_basenets.SanlBase, 'attention_source', 'category-head')
    monkeypatch.setattr(category_head.CategoryField, 'hidden_features', 0)  # as configure sets it for SANL
    with pytest.raises(Exception, match='needs a backward pass inside the forward pass'):
        export.export_onnx(network('resnet18-sanl'), str(tmp_path / 'own.onnx'), WIDTH, HEIGHT)
    monkeypatch.setattr(sanl_basenets.SanlBase, 'all_from_last_stride', True)
    net = network('resnet18-sanl')
    assert net.base_net.needs_category_head and net.base_net.attention is None
    export_and_compare(net, str(tmp_path / 'own32.onnx'), 'resnet18-sanl (category head, last stride)')
