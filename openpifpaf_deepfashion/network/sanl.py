"""Spatial-Aware Non-Local (SANL) block and the plain non-local block it extends.

SANL (eq. 3 of the SANL paper) for a feature map X (B x C x H x W) and a spatial attention map M::

    theta = W_theta * (X . (1 + M)),   phi = W_phi * (X . (1 + M)),   g = W_g * X      (1x1 convolutions to C')
    y_i   = 1/N sum_j (theta_i^T phi_j) g_j                                               (N = H W, no softmax)
    Z     = X + BN(W_z * y)                                                              (residual)

C' = C / 2 in the paper; the base networks cap it on wide stages (``--sanl-param-budget``).  The plain non-local
block (Wang et al. 2018, dot-product form) is the same with M = 0.  The N x N similarity
matrix is never formed: ``y = (phi g^T / N)^T theta`` costs O(N C'^2) time and O(C'^2) extra memory per image.
The BatchNorm after ``W_z`` starts with weight 0, so a new block returns its input exactly (it can be inserted
into a pretrained backbone without changing it).

With ``subsample`` s > 1, phi and g (the keys and values) come from X (and X . (1 + M)) averaged over s x s cells,
and N counts those cells: the subsampling of Wang et al. (a max pool after phi and g there; an average commutes
with the linear 1x1 convolutions, so X is pooled once for both).  Queries theta, and so the output, keep the full
resolution; the two key/value convolutions cost 1 / s^2.
"""
import torch

#: a map whose range (max - min) is below this is treated as constant: it becomes 0 (no attention)
MAP_RANGE_EPS = 1e-12


def normalize_attention(attention, size):
    """Resize (bilinearly) B x 1 x h x w maps to ``size`` = (H, W) and scale each image's map to [0, 1].

    A constant map (no spatial information) becomes 0."""
    if attention.dim() == 3:
        attention = attention.unsqueeze(1)
    if tuple(attention.shape[2:]) != tuple(size):
        attention = torch.nn.functional.interpolate(attention, size=tuple(size), mode='bilinear',
                                                    align_corners=False)
    low = torch.amin(attention, dim=(1, 2, 3), keepdim=True)
    high = torch.amax(attention, dim=(1, 2, 3), keepdim=True)
    return (attention - low) / torch.clamp(high - low, min=MAP_RANGE_EPS)


def inner_channels(channels, reduction=2, max_inner=None):
    """C' of a block on C channels: C // reduction, at most ``max_inner``, at least 1."""
    inner = max(1, channels // reduction)
    return inner if max_inner is None else max(1, min(inner, max_inner))


def block_parameters(channels, inner):
    """Parameters of a block on C channels with C' inner ones: theta, phi, g (with bias), W_z, BatchNorm."""
    return 3 * (channels * inner + inner) + inner * channels + 2 * channels


class NonLocalBlock(torch.nn.Module):
    """Dot-product non-local block; with an ``attention`` map in :meth:`forward` it is the SANL block.

    :param channels: C, the channels of the feature map (input = output)
    :param reduction: C' = C // reduction inner channels of theta, phi and g (2 in both papers)
    :param max_inner: at most this many inner channels (None: no cap)
    :param subsample: keys and values from X averaged over cells of this size (1: every position)
    """

    def __init__(self, channels, reduction=2, max_inner=None, subsample=1):
        super().__init__()
        inner = inner_channels(channels, reduction, max_inner)
        self.channels = channels
        self.inner_channels = inner
        self.subsample = subsample
        self.theta = torch.nn.Conv2d(channels, inner, 1)
        self.phi = torch.nn.Conv2d(channels, inner, 1)
        self.g = torch.nn.Conv2d(channels, inner, 1)
        self.w_z = torch.nn.Conv2d(inner, channels, 1, bias=False)
        self.bn = torch.nn.BatchNorm2d(channels)
        torch.nn.init.zeros_(self.bn.weight)
        torch.nn.init.zeros_(self.bn.bias)

    def non_local(self, x, attention=None):
        """y = W_z applied to (1/N) sum_j f(i, j) g_j, before BatchNorm and the residual (B x C x H x W)."""
        mixed, theta = self._mixed_and_theta(x, attention)
        return torch.bmm(mixed, theta).reshape(x.shape)

    def _mixed_and_theta(self, x, attention):
        """(W_z (phi g^T / N)^T: B x C x C', theta: B x C' x N), whose product is :meth:`non_local`'s y."""
        height, width = x.shape[2:]
        key_input = x
        if attention is not None:
            key_input = x * (1.0 + normalize_attention(attention.to(dtype=x.dtype), (height, width)))
        # theta, phi and g in one convolution where they share their input (fewer where M weights theta and phi
        # or the keys are subsampled): at stride 2 or 4 a pass over X costs more than the products
        subsample = getattr(self, 'subsample', 1)
        if subsample == 1 and attention is None:
            theta, phi, g = self._fused_conv(x, (self.theta, self.phi, self.g))
        elif subsample == 1:
            theta, phi = self._fused_conv(key_input, (self.theta, self.phi))
            g = self.g(x).flatten(2)
        else:
            theta = self.theta(key_input).flatten(2)
            pooled = self.pool(x)
            if attention is None:
                phi, g = self._fused_conv(pooled, (self.phi, self.g))
            else:
                phi = self.phi(self.pool(key_input)).flatten(2)
                g = self.g(pooled).flatten(2)
        # sum_j (theta_i . phi_j) g_j = (sum_j phi_j g_j^T)^T theta_i: C' x C', linear in N
        phi_g = torch.bmm(phi, g.transpose(1, 2)) / phi.shape[2]  # B x C'(phi) x C'(g), N key positions
        # W_z (phi_g^T theta) = (W_z phi_g^T) theta: one product over the N positions instead of two
        return torch.matmul(self.w_z.weight.flatten(1), phi_g.transpose(1, 2)), theta  # B x C x C'(phi)

    def pool(self, x):
        """X averaged over ``subsample`` x ``subsample`` cells (a partial cell at the edge: over its part)."""
        return torch.nn.functional.avg_pool2d(x, self.subsample, ceil_mode=True)

    def _fused_conv(self, x, convs):
        """The 1x1 convolutions ``convs`` of x, computed as one: a B x C' x N tensor each."""
        weight = torch.cat([conv.weight for conv in convs])
        bias = torch.cat([conv.bias for conv in convs])
        return torch.nn.functional.conv2d(x, weight, bias).flatten(2).split(self.inner_channels, dim=1)

    def forward(self, x, attention=None):  # pylint: disable=arguments-differ
        if self.training or self.bn.running_var is None:
            return x + self.bn(self.non_local(x, attention))
        # evaluation: the BatchNorm is a per-channel scale and shift, folded into the product and the residual
        scale = self.bn.weight * torch.rsqrt(self.bn.running_var + self.bn.eps)
        shift = self.bn.bias - self.bn.running_mean * scale
        mixed, theta = self._mixed_and_theta(x, attention)
        out = torch.baddbmm(x.flatten(2), mixed * scale[:, None], theta)
        out += shift[:, None]  # in place: a second tensor of X's size costs more than the pass over it
        return out.reshape(x.shape)


class SANLBlock(NonLocalBlock):
    """The Spatial-Aware Non-Local block: :class:`NonLocalBlock` whose ``forward`` takes the attention map M.

    M is B x 1 x h x w (any h, w): it is resized to X's H x W and scaled to [0, 1] per image.  With M = 0
    (or ``attention=None``) it computes exactly what a :class:`NonLocalBlock` with the same weights does."""
