#!/usr/bin/env python3
"""Prints the fixtures of ForecastLossesTest and DistributionTest as Java arrays, to paste into the tests.

Losses: PyTorch 1.13 in float64 on float32 inputs -- torch.distributions.Normal(mu, sigma).log_prob(y),
torch.distributions.StudentT(nu, mu, sigma).log_prob(y), F.l1_loss and a pinball loss written in torch -- with
sigma = softplus(s) + 1e-3 and nu = 2 + softplus(v) as GluonTS's StudentTOutput, and the gradients of each mean
by autograd. Distribution: mpmath at 40 digits (lnGamma, digamma, the normal and Student t distribution functions
and quantiles), each checked against scipy.special first. Run with Debian's Python: /usr/bin/python3."""
import mpmath as mp
import numpy as np
import scipy
import scipy.special as sp
import torch
import torch.nn.functional as F

mp.mp.dps = 40
MIN_SCALE = float(np.float32(1e-3))   # ForecastLosses.MIN_SCALE, a float32


def f32(values):
    """float32 values (what the Java test holds) widened to float64."""
    return torch.tensor(np.asarray(values, dtype=np.float32), dtype=torch.float64)


def softplus(x):
    return torch.logaddexp(x, torch.zeros_like(x))   # exact; F.softplus switches to x above 20


def floats(name, t):
    values = ", ".join(str(np.float32(v)) + "f" for v in t.detach().reshape(-1).tolist())
    print(f"    private static final float[] {name} = {{{values}}};")


def doubles(name, values):
    print(f"    private static final double[] {name} = {{{', '.join(repr(float(v)) for v in values)}}};")


def leaf(values):
    return f32(values).requires_grad_(True)


print("    // ---- ForecastLossesTest: PyTorch", torch.__version__, "float64 ----")
# Gaussian, 8 elements [2, 4]: sigma from 0.0035 to 4.02, z from 0.3 to -150.
mu = leaf([0.5, -1.25, 3.0, 0.0, -2.5, 10.0, 0.75, -0.3])
s = leaf([-6.0, -3.0, -1.0, 0.0, 0.5, 2.0, 4.0, -5.0])
z = torch.tensor([0.3, -1.2, 2.5, 40.0, -0.1, 7.0, -3.0, -150.0], dtype=torch.float64)
y = f32((mu + (softplus(s) + MIN_SCALE) * z).detach())
nll = -torch.distributions.Normal(mu, softplus(s) + MIN_SCALE).log_prob(y)
nll.mean().backward()
floats("GAUSS_MEAN", mu); floats("GAUSS_SCALE_RAW", s); floats("GAUSS_TARGET", y)
doubles("GAUSS_LOSS", [nll.mean().item()]); doubles("GAUSS_D_MEAN", mu.grad.tolist()); doubles("GAUSS_D_SCALE_RAW", s.grad.tolist())

# Student t, 8 elements [2, 4]: nu from 2.0003 (v = -8) to 202 (v = 200), z up to -200.
mu = leaf([0.5, -1.25, 3.0, 0.0, -2.5, 10.0, 0.75, -0.3])
s = leaf([-2.0, 0.3, -1.0, 1.5, -4.0, 2.0, 0.0, -0.5])
v = leaf([-8.0, -2.0, -0.5, 0.0, 1.0, 3.0, 10.0, 200.0])
z = torch.tensor([0.3, -200.0, 2.5, 40.0, -0.1, 7.0, -3.0, 25.0], dtype=torch.float64)
y = f32((mu + (softplus(s) + MIN_SCALE) * z).detach())
nll = -torch.distributions.StudentT(2 + softplus(v), mu, softplus(s) + MIN_SCALE).log_prob(y)
nll.mean().backward()
floats("T_MEAN", mu); floats("T_SCALE_RAW", s); floats("T_DOF_RAW", v); floats("T_TARGET", y)
doubles("T_LOSS", [nll.mean().item()]); doubles("T_D_MEAN", mu.grad.tolist())
doubles("T_D_SCALE_RAW", s.grad.tolist()); doubles("T_D_DOF_RAW", v.grad.tolist())

# Mean absolute error, [2, 3].
p = leaf([0.5, -1.0, 2.0, 3.5, 0.0, -7.25])
y = f32([1.0, -1.5, 2.25, -3.5, 0.125, 4.0])
l1 = F.l1_loss(p, y)
l1.backward()
floats("MAE_PREDICTION", p); floats("MAE_TARGET", y)
doubles("MAE_LOSS", [l1.item()]); doubles("MAE_D_PREDICTION", p.grad.tolist())

# Pinball, quantiles [2, 3, K=3] at levels 0.1, 0.5, 0.9, target [2, 3]; no quantile equals its target.
levels = f32([0.1, 0.5, 0.9])
q = leaf(np.random.default_rng(5).normal(size=18).round(3)).reshape(2, 3, 3)
q.retain_grad()
y = f32([0.2, -0.4, 1.1, -1.3, 0.05, 2.0]).reshape(2, 3)
e = y.unsqueeze(-1) - q
pinball = torch.max(levels * e, (levels - 1) * e).mean()
pinball.backward()
floats("PINBALL_LEVELS", levels); floats("PINBALL_QUANTILES", q); floats("PINBALL_TARGET", y)
doubles("PINBALL_LOSS", [pinball.item()]); doubles("PINBALL_D_QUANTILES", q.grad.reshape(-1).tolist())


def agree(name, ours, scipy_value, tol=1e-9):
    ours = float(ours)
    assert abs(ours - scipy_value) <= tol * max(1.0, abs(ours)), (name, ours, scipy_value)
    return ours


print("    // ---- DistributionTest: mpmath", mp.__version__, "at 40 digits, checked against scipy", scipy.__version__, "----")
xs = [1e-3, 0.1, 0.5, 1.0, 1.5, 2.0, 2.5, 7.3, 10.0, 33.3, 1000.0, 1e6]
doubles("GAMMA_X", xs)
doubles("LN_GAMMA", [agree("lnGamma", mp.loggamma(mp.mpf(x)), sp.gammaln(x)) for x in xs])
doubles("DIGAMMA", [agree("digamma", mp.digamma(mp.mpf(x)), sp.digamma(x)) for x in xs])
hx = [0.25, 3.0, 9.5, 12.0, 1e4, 1e9, 1e15]
doubles("HALF_RATIO_X", hx)
doubles("LN_GAMMA_HALF_RATIO", [mp.loggamma(mp.mpf(x) + mp.mpf("0.5")) - mp.loggamma(mp.mpf(x)) for x in hx])

zs = [-37.0, -20.0, -8.0, -3.0, -1.7, -1.0, -0.1, 0.0, 0.7, 1.5, 2.0, 5.0, 9.0]
doubles("NORMAL_Z", zs)
doubles("NORMAL_CDF", [agree("ndtr", mp.ncdf(z), sp.ndtr(z), 1e-13) for z in zs])
ps = [1e-300, 1e-20, 1e-5, 0.02, 0.02425, 0.3, 0.5, 0.8, 0.975, 0.999, 1 - 1e-9]
doubles("NORMAL_P", ps)
doubles("NORMAL_QUANTILE", [agree("ndtri", mp.findroot(lambda x: mp.ncdf(x) - mp.mpf(p), sp.ndtri(p)), sp.ndtri(p))
                             for p in ps])


def t_cdf(t, nu):
    t, nu = mp.mpf(t), mp.mpf(nu)
    lower = mp.betainc(nu / 2, mp.mpf("0.5"), 0, nu / (nu + t * t), regularized=True) / 2
    return lower if t <= 0 else 1 - lower


# scipy 1.10's stdtrit (cdflib) is good to about 1e-8 only: at p = 0.95 it gives 2.015048372669157 for nu = 5, where
# the closed form 1/2 + (th + sin th cos th (1 + 2/3 cos^2 th))/pi, th = atan(t/sqrt 5), puts the root at 2.0150483733330242.
def t_quantile(p, nu):
    # Solve in the lower tail, where mpmath keeps the relative accuracy of small probabilities.
    q = min(p, 1 - p)
    t = mp.findroot(lambda t: t_cdf(t, nu) - mp.mpf(q), sp.stdtrit(nu, q), tol=mp.mpf(10) ** -35)
    return t if p < 0.5 else -t


cases = [(-300.0, 1.0), (-6.313751514675, 1.0), (-2.0, 0.3), (-1.0, 2.5), (-0.2, 4.7), (0.0, 3.0), (0.5, 0.5),
         (1.0, 1.0), (2.015048372669, 5.0), (3.0, 12.25), (1.2, 150.0), (-8.0, 200.0), (-30.0, 1e3), (-5.0, 1.5e4), (-4.0, 1e5), (-30.0, 5e4), (25.0, 2.0)]
doubles("T_CDF_T", [t for t, _ in cases]); doubles("T_CDF_NU", [nu for _, nu in cases])
doubles("T_CDF", [agree("stdtr", t_cdf(t, nu), sp.stdtr(nu, t), 1e-12) for t, nu in cases])
qcases = [(0.95, 1.0), (0.95, 5.0), (0.95, 30.0), (0.975, 2.5), (0.9, 4.5), (0.99, 0.7), (0.001, 3.3),
          (1e-8, 1.5), (0.25, 0.2), (0.6, 7.77), (0.999999, 50.0), (1e-12, 3e4), (0.3, 1e6)]
doubles("T_QUANTILE_P", [p for p, _ in qcases]); doubles("T_QUANTILE_NU", [nu for _, nu in qcases])
doubles("T_QUANTILE", [agree("stdtrit", t_quantile(p, nu), sp.stdtrit(nu, p), 1e-7) for p, nu in qcases])
