"""1x1 convolutions of a single image as matrix products: the same numbers as Conv2d, and Conv2d wherever the
product does not apply."""
import pytest
import torch

import openpifpaf  # first: registering the plugin imports its modules, which need OpenPifPaf loaded

from openpifpaf_deepfashion.network import pointwise
from openpifpaf_deepfashion.network.category_head import CategoryField

from category_metas import metas  # tests/ is on sys.path (pytest's rootdir-relative imports)


def refuse_conv(layer):
    """Make ``layer``'s own forward fail, so that a passing call proves the matrix product ran."""
    layer.forward = lambda x: pytest.fail('Conv2d forward ran')


@pytest.mark.parametrize('bias', [True, False])
def test_single_image_pointwise_convolution_is_one_matrix_product_with_conv2d_numbers(bias):
    torch.manual_seed(0)
    layer = torch.nn.Conv2d(24, 7, 1, bias=bias)
    x = torch.randn(1, 24, 11, 9)
    expected = layer(x)
    refuse_conv(layer)
    y = pointwise.apply(layer, x)
    assert y.shape == (1, 7, 11, 9)
    assert torch.allclose(y, expected, atol=1e-5)
    x.requires_grad_()
    pointwise.apply(layer, x).sum().backward()  # training with one image takes the same path
    assert torch.allclose(x.grad, layer.weight.sum(dim=0).view(1, 24, 1, 1).expand_as(x), atol=1e-5)


class Pointwise(torch.nn.Module):
    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def forward(self, x):  # pylint: disable=arguments-differ
        return pointwise.apply(self.layer, x)


def test_batches_other_convolutions_hooked_and_traced_layers_run_conv2d():
    layer = torch.nn.Conv2d(8, 4, 1)
    seen = []
    forward = layer.forward
    layer.forward = lambda x: seen.append(x.shape[0]) or forward(x)
    pointwise.apply(layer, torch.randn(2, 8, 5, 5))
    assert seen == [2]  # a batch
    handle = layer.register_forward_hook(lambda module, inputs, output: seen.append('hook'))
    pointwise.apply(layer, torch.randn(1, 8, 5, 5))
    assert seen == [2, 1, 'hook']  # forward hooks see the layer run
    handle.remove()
    torch.jit.trace(Pointwise(layer), torch.randn(1, 8, 5, 5), check_trace=False)
    assert seen == [2, 1, 'hook', 1]  # traced graphs keep the convolution
    for other in (torch.nn.Conv2d(8, 4, 3, padding=1), torch.nn.Conv2d(8, 4, 1, stride=2),
                  torch.nn.Conv2d(8, 4, 1, groups=2), torch.nn.Conv2d(8, 4, 1, padding=1)):
        assert not pointwise.is_pointwise(other)
    assert pointwise.is_pointwise(layer)


@pytest.mark.parametrize('hidden', [0, 8])
def test_category_head_of_one_image_equals_its_row_of_a_batch(hidden):
    torch.manual_seed(0)
    head = CategoryField(metas()[2], 16, hidden_features=hidden).eval()
    batch = torch.randn(3, 16, 9, 9)
    with torch.no_grad():
        expected = head(batch)
        refuse_conv(head.conv)
        single = head(batch[1:2])
    assert torch.allclose(single, expected[1:2], atol=1e-6)
