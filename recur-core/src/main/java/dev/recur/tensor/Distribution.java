package dev.recur.tensor;

import java.util.random.RandomGenerator;

/**
 * The special functions, distribution functions and samplers of probabilistic forecasting, in double precision.
 * <pre>
 * lnΓ(x)    Stirling's series for x ≥ 10, lnΓ(x) = lnΓ(x + n) − ln(x(x+1)…(x+n−1)) below
 *           lnΓ(x) = (x − ½) ln x − x + ½ ln 2π + 1/(12x) − 1/(360x³) + 1/(1260x⁵) − …
 * ψ(x)      the asymptotic series for x ≥ 10, ψ(x) = ψ(x + 1) − 1/x below
 *           ψ(x) = ln x − 1/(2x) − 1/(12x²) + 1/(120x⁴) − 1/(252x⁶) + …
 * Φ(z)      = ½ ± ½ P(½, z²/2) near 0, ½ Q(½, z²/2) in the tails (regularised incomplete gamma P = 1 − Q)
 * Φ⁻¹(p)    Acklam's rational approximation (relative error 1.2e-9), then one Halley step on Φ
 * T_ν(t)    = ½ I_x(ν/2, ½) for t ≤ 0, 1 − ½ I_x(ν/2, ½) for t > 0, x = ν/(ν + t²)
 *           I_x(a, b) the regularised incomplete beta function, by its continued fraction; Hill's
 *           normalising transformation to Φ above ν = 2·10⁴
 * T_ν⁻¹(p)  Newton's method on ln(upper tail) against ln t, kept inside a bracket by bisection
 * Student t = μ + σ·Z/√(G/ν),  Z ~ N(0, 1),  G ~ χ²_ν = 2·Gamma(ν/2, 1) by Marsaglia and Tsang
 * </pre>
 * <pre>
 * double q90 = Distribution.studentTQuantile(0.9, 4.5);   // 1.50089
 * double draw = Distribution.sampleStudentT(rng, mean, scale, nu);
 * </pre>
 */
public final class Distribution {
    private static final double HALF_LN_2PI = 0.5 * Math.log(2 * Math.PI);
    private static final double LN_SQRT_PI = 0.5 * Math.log(Math.PI);
    private static final double ASYMPTOTIC = 10;          // where Stirling's and the digamma series start
    private static final double EPS = 1e-16;
    private static final double TINY = 1e-300;            // keeps Lentz's continued fractions away from 0/0
    private static final int MAX_ITERATIONS = 100_000;
    private static final double HILL = 2e4;               // the t distribution function's switch to Hill's formula

    private Distribution() {}

    /** ln Γ(x) for x > 0, to about 1e-14 (absolute near the zeros at 1 and 2, relative elsewhere). */
    public static double lnGamma(double x) {
        requirePositive("lnGamma", "x", x);
        if (x >= ASYMPTOTIC) return stirling(x);
        double product = 1;
        while (x < ASYMPTOTIC) product *= x++;
        return stirling(x) - Math.log(product);
    }

    /** ln(Γ(x + ½)/Γ(x)) for x > 0, without the cancellation of subtracting two large lnΓ (≈ ½ ln x − 1/(8x)). */
    public static double lnGammaHalfRatio(double x) {
        requirePositive("lnGammaHalfRatio", "x", x);
        if (x < ASYMPTOTIC) return lnGamma(x + 0.5) - lnGamma(x);
        // Both by Stirling: x·ln(x + ½) − (x − ½)·ln x − ½ = x·ln(1 + 1/(2x)) − ½ + ½ ln x.
        return (x * Math.log1p(0.5 / x) - 0.5) + 0.5 * Math.log(x) + stirlingTail(x + 0.5) - stirlingTail(x);
    }

    /** ψ(x) = d lnΓ(x)/dx for x > 0, to about 1e-14 (absolute near its zero at 1.46). */
    public static double digamma(double x) {
        requirePositive("digamma", "x", x);
        double shift = 0;
        while (x < ASYMPTOTIC) shift += 1 / x++;
        double r = 1 / (x * x);
        double series = r * (1.0 / 12 - r * (1.0 / 120 - r * (1.0 / 252 - r * (1.0 / 240 - r * (1.0 / 132
                - r * (691.0 / 32760 - r / 12))))));
        return Math.log(x) - 0.5 / x - series - shift;
    }

    /** Φ(z), the standard normal distribution function; relative accuracy about 1e-13 in the lower tail. */
    public static double normalCdf(double z) {
        if (Double.isNaN(z)) return z;
        if (Double.isInfinite(z)) return z > 0 ? 1 : 0;
        double tail = normalUpperTail(0.5 * z * z);
        return z < 0 ? tail : 1 - tail;
    }

    /** Φ⁻¹(p) for p in [0, 1] (±∞ at the ends), to about 1e-14 relative. */
    public static double normalQuantile(double p) {
        requireProbability("normalQuantile", p);
        if (p > 0.5) return -normalQuantile(1 - p);   // 1 − p is exact for p ≥ ½
        if (p == 0) return Double.NEGATIVE_INFINITY;
        double x;
        if (p < 0.02425) {
            double q = Math.sqrt(-2 * Math.log(p));
            x = (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
                    / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
        } else {
            double q = p - 0.5, r = q * q;
            x = (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
                    / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
        }
        // Halley's step on Φ(x) − p: u = (Φ(x) − p)/φ(x), x ← x − u/(1 + x·u/2).
        double u = (normalCdf(x) - p) * Math.sqrt(2 * Math.PI) * Math.exp(0.5 * x * x);
        return Double.isFinite(u) ? x - u / (1 + 0.5 * x * u) : x;   // u overflows only for p below 1e-320
    }

    /**
     * The Student t distribution function with ν > 0 degrees of freedom (any real ν), to about 1e-12 relative,
     * far into the lower tail too.
     */
    public static double studentTCdf(double t, double nu) {
        requirePositive("studentTCdf", "nu", nu);
        if (Double.isNaN(t)) return t;
        if (Double.isInfinite(t)) return t > 0 ? 1 : 0;
        double tail = upperTail(Math.abs(t), nu);
        return t > 0 ? 1 - tail : tail;
    }

    /**
     * The Student t quantile T_ν⁻¹(p) for p in [0, 1] (±∞ at the ends) and real ν > 0, to about 1e-11 relative:
     * Newton's method on g(u) = ln S(eᵘ) − ln min(p, 1 − p), S the upper tail, t = eᵘ, which is nearly linear in
     * the power-law tail; a step that leaves the bracket of the root is replaced by bisection.
     */
    public static double studentTQuantile(double p, double nu) {
        requireProbability("studentTQuantile", p);
        requirePositive("studentTQuantile", "nu", nu);
        double q = Math.min(p, 1 - p);
        if (q == 0.5) return 0;
        if (q == 0) return p < 0.5 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        // Start from the Cornish-Fisher expansion around the normal quantile.
        double z = -normalQuantile(q), z3 = z * z * z;
        double guess = z + (z3 + z) / (4 * nu) + (5 * z3 * z * z + 16 * z3 + 3 * z) / (96 * nu * nu);
        double u = Math.log(Double.isFinite(guess) && guess > 0 ? guess : z), lnQ = Math.log(q);
        double lo = Double.NEGATIVE_INFINITY, hi = Double.POSITIVE_INFINITY;   // g(lo) > 0 > g(hi)
        double lnPdfConstant = lnGammaHalfRatio(0.5 * nu) - 0.5 * Math.log(nu * Math.PI);
        for (int i = 0; i < 200; i++) {
            double t = Math.exp(u);
            if (t == Double.POSITIVE_INFINITY) return Math.copySign(t, p - 0.5);
            double s = upperTail(t, nu), g = Math.log(s) - lnQ;
            if (g == 0) break;
            if (g > 0) lo = u;
            else hi = u;
            // Newton's step, u − g/g' with g'(u) = −t·f(t)/S(t), f the density; at most e⁴ in t at a time.
            double tf = Math.exp(u + lnPdfConstant - 0.5 * (nu + 1) * log1pSquare(t / Math.sqrt(nu)));
            double next = u + g * s / tf;
            if (Double.isNaN(next) || g > 0 && next > u + 4 || g < 0 && next < u - 4) next = u + Math.copySign(4, g);
            if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
            boolean done = Math.abs(next - u) < 1e-14 || hi - lo < 1e-14;
            u = next;
            if (done) break;
        }
        return Math.copySign(Math.exp(u), p - 0.5);
    }

    /** mean + scale·Z with Z = rng.nextGaussian(). */
    public static double sampleNormal(RandomGenerator rng, double mean, double scale) {
        return mean + scale * rng.nextGaussian();
    }

    /** mean + scale·Z/√(G/ν), Z standard normal, G ~ χ²_ν = 2·Gamma(ν/2); ν > 0. */
    public static double sampleStudentT(RandomGenerator rng, double mean, double scale, double nu) {
        requirePositive("sampleStudentT", "nu", nu);
        double z = rng.nextGaussian();
        double g = 2 * sampleGamma(rng, 0.5 * nu);
        return mean + scale * z / Math.sqrt(g / nu);
    }

    /**
     * Gamma(shape, 1) by Marsaglia and Tsang (2000): d = shape − ⅓, c = 1/√(9d), v = (1 + c·x)³ for x standard
     * normal, accepting d·v when ln u < x²/2 + d(1 − v + ln v); for shape < 1, Gamma(shape + 1)·u^(1/shape).
     */
    static double sampleGamma(RandomGenerator rng, double shape) {
        if (shape < 1) return sampleGamma(rng, shape + 1) * Math.pow(1 - rng.nextDouble(), 1 / shape);
        double d = shape - 1.0 / 3, c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = rng.nextGaussian(), v = 1 + c * x;
            if (v <= 0) continue;
            v = v * v * v;
            double u = 1 - rng.nextDouble(), x2 = x * x;
            if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
        }
    }

    /**
     * S(t) = P(T > t) for t ≥ 0. Below ν = 2·10⁴, ½ I_x(ν/2, ½) with x = ν/(ν + t²) = 1/(1 + r²), r = t/√ν, the
     * logarithms of x and 1 − x formed from r so that neither overflows nor cancels. Above, where the continued
     * fraction's rounding grows in proportion to ν (1e-12 at 10⁵, 4e-10 at 10⁷), Hill's normalising transformation
     * (G. W. Hill, CACM algorithm 395, 1970), within 2e-14 of mpmath there: S = 1 − Φ(w),
     * w = √y·(1 + (y + 3 + (((−0.4y − 3.3)y − 24)y − 85.5)/(0.8y² + 100 + b))/b),
     * y = (ν − ½)·ln(1 + t²/ν),  b = 48(ν − ½)².
     */
    private static double upperTail(double t, double nu) {
        double r = t / Math.sqrt(nu);
        if (nu > HILL) {
            double a = nu - 0.5, b = 48 * a * a, y = a * log1pSquare(r);
            double w = 1 + ((((-0.4 * y - 3.3) * y - 24) * y - 85.5) / (0.8 * y * y + 100 + b) + y + 3) / b;
            return normalUpperTail(0.5 * y * w * w);
        }
        double lnX, lnY;
        if (r <= 1) {
            lnX = -Math.log1p(r * r);
            lnY = 2 * Math.log(r) + lnX;
        } else {
            lnY = -Math.log1p(1 / (r * r));
            lnX = lnY - 2 * Math.log(r);
        }
        double a = 0.5 * nu, b = 0.5, lnBeta = LN_SQRT_PI - lnGammaHalfRatio(a);   // ln B(a, ½) = lnΓ(a) + lnΓ(½) − lnΓ(a + ½)
        double front = Math.exp(a * lnX + b * lnY - lnBeta);
        double x = Math.exp(lnX), y = Math.exp(lnY);
        double i = x < (a + 1) / (a + b + 2) ? front * betaFraction(a, b, x) / a
                : 1 - front * betaFraction(b, a, y) / b;
        return 0.5 * i;
    }

    /** 1 − Φ(w) for w ≥ 0 given h = w²/2: ½ − ½ P(½, h) near 0, ½ Q(½, h) in the tail. */
    private static double normalUpperTail(double h) {
        return h < 1.5 ? 0.5 - 0.5 * gammaSeries(h) : 0.5 * gammaFraction(h);
    }

    /** ln(1 + r²) without overflow for large r. */
    private static double log1pSquare(double r) {
        r = Math.abs(r);
        return r <= 1 ? Math.log1p(r * r) : 2 * Math.log(r) + Math.log1p(1 / (r * r));
    }

    /** The continued fraction of I_x(a, b) by the modified Lentz method (Numerical Recipes' betacf). */
    private static double betaFraction(double a, double b, double x) {
        double qab = a + b, qap = a + 1, qam = a - 1;
        double c = 1, d = nonzero(1 - qab * x / qap);
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= MAX_ITERATIONS; m++) {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));   // even step
            d = 1 / nonzero(1 + aa * d);
            c = nonzero(1 + aa / c);
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));   // odd step
            d = 1 / nonzero(1 + aa * d);
            c = nonzero(1 + aa / c);
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < EPS) return h;
        }
        throw new ArithmeticException("incomplete beta: the continued fraction for a=" + a + ", b=" + b + ", x=" + x
                + " did not converge in " + MAX_ITERATIONS + " terms");
    }

    /** P(a, w) for a = ½ by its series: e^(−w) wᵃ/Γ(a + 1) · Σₙ wⁿ/((a+1)…(a+n)); all terms positive. */
    private static double gammaSeries(double w) {
        double a = 0.5, term = 1 / a, sum = term;
        for (int n = 1; n < 1000 && term > sum * EPS; n++) {
            term *= w / (a + n);
            sum += term;
        }
        return sum * Math.exp(-w + a * Math.log(w) - LN_SQRT_PI);
    }

    /** Q(a, w) for a = ½ and w ≥ 1.5 by its continued fraction, modified Lentz (Numerical Recipes' gcf). */
    private static double gammaFraction(double w) {
        double a = 0.5, b = w + 1 - a, c = 1 / TINY, d = 1 / b, h = d;
        for (int i = 1; i < 1000; i++) {
            double an = -i * (i - a);
            b += 2;
            d = 1 / nonzero(an * d + b);
            c = nonzero(b + an / c);
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < EPS) break;
        }
        return Math.exp(-w + a * Math.log(w) - LN_SQRT_PI) * h;
    }

    private static double nonzero(double v) {
        return Math.abs(v) < TINY ? TINY : v;
    }

    private static double stirling(double x) {
        return (x - 0.5) * Math.log(x) - x + HALF_LN_2PI + stirlingTail(x);
    }

    /** 1/(12x) − 1/(360x³) + 1/(1260x⁵) − 1/(1680x⁷) + 1/(1188x⁹) − 691/(360360x¹¹) + 1/(156x¹³). */
    private static double stirlingTail(double x) {
        double r = 1 / (x * x);
        return (1.0 / 12 - r * (1.0 / 360 - r * (1.0 / 1260 - r * (1.0 / 1680 - r * (1.0 / 1188
                - r * (691.0 / 360360 - r / 156)))))) / x;
    }

    private static void requirePositive(String function, String name, double v) {
        if (!(v > 0) || v == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException(function + ": " + name + " is " + v + "; expected a positive finite number");
        }
    }

    private static void requireProbability(String function, double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException(function + ": p is " + p + "; expected a probability in [0, 1]");
    }

    // Acklam's coefficients: central region |p − ½| ≤ ½ − 0.02425 (A, B), lower tail (C, D).
    private static final double[] A = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
        1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
    private static final double[] B = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
        6.680131188771972e+01, -1.328068155288572e+01};
    private static final double[] C = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
        -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
    private static final double[] D = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
        3.754408661907416e+00};
}
