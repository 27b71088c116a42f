namespace V2V.Clearing.Nash;

/// <summary>
/// A number carried as the unevaluated sum of two doubles, Hi + Lo with |Lo| &lt;= ulp(Hi) / 2: about 106 bits of
/// significand (Dekker, "A floating-point technique for extending the available precision", Numerische Mathematik 18,
/// 1971; Hida, Li and Bailey, "Algorithms for quad-double precision floating point arithmetic", ARITH 15, 2001). Exact
/// two-term sums (Knuth's TwoSum) and products (one fused multiply-add) make each operation accurate to a few units of
/// 2^-104 relative. Used where the certificate's potentials are differences of terms ~1e9 apart in scale.
/// </summary>
internal readonly record struct DoubleDouble(double Hi, double Lo)
{
    public static readonly DoubleDouble Zero = new(0, 0);

    public static implicit operator DoubleDouble(double x) => new(x, 0);

    public double Value => Hi + Lo;

    public static DoubleDouble operator +(DoubleDouble a, DoubleDouble b)
    {
        var (s, e) = TwoSum(a.Hi, b.Hi);
        if (!double.IsFinite(s))
        {
            // An infinite capacity or distance stays what IEEE says (the error terms would be NaN).
            return new(s, 0);
        }

        var (t, f) = TwoSum(a.Lo, b.Lo);
        e += t;
        (s, e) = FastTwoSum(s, e);
        e += f;
        return Normalized(s, e);
    }

    public static DoubleDouble operator -(DoubleDouble a) => new(-a.Hi, -a.Lo);

    public static DoubleDouble operator -(DoubleDouble a, DoubleDouble b) => a + (-b);

    public static DoubleDouble operator *(DoubleDouble a, DoubleDouble b)
    {
        var p = a.Hi * b.Hi;
        if (!double.IsFinite(p))
        {
            return new(p, 0);
        }

        var e = Math.FusedMultiplyAdd(a.Hi, b.Hi, -p);
        e += (a.Hi * b.Lo) + (a.Lo * b.Hi);
        return Normalized(p, e);
    }

    public static DoubleDouble operator /(DoubleDouble a, DoubleDouble b)
    {
        // Long division: a first quotient, then the remainder's quotient (two Newton corrections).
        var q1 = a.Hi / b.Hi;
        var r = a - (b * q1);
        var q2 = r.Hi / b.Hi;
        r -= b * q2;
        var q3 = r.Hi / b.Hi;
        return Normalized(q1, q2) + q3;
    }

    public static bool operator <(DoubleDouble a, DoubleDouble b) => a.Hi < b.Hi || (a.Hi == b.Hi && a.Lo < b.Lo);

    public static bool operator >(DoubleDouble a, DoubleDouble b) => b < a;

    public static bool operator <=(DoubleDouble a, DoubleDouble b) => !(b < a);

    public static bool operator >=(DoubleDouble a, DoubleDouble b) => !(a < b);

    public static DoubleDouble Max(DoubleDouble a, DoubleDouble b) => a < b ? b : a;

    public static DoubleDouble Min(DoubleDouble a, DoubleDouble b) => b < a ? b : a;

    public bool IsFinite => double.IsFinite(Hi) && double.IsFinite(Lo);

    /// <summary>The exact product of two doubles.</summary>
    public static DoubleDouble Product(double a, double b)
    {
        var p = a * b;
        return new(p, Math.FusedMultiplyAdd(a, b, -p));
    }

    // s + e == a + b exactly (Knuth).
    private static (double S, double E) TwoSum(double a, double b)
    {
        var s = a + b;
        var bb = s - a;
        return (s, (a - (s - bb)) + (b - bb));
    }

    // s + e == a + b exactly when |a| >= |b| (Dekker).
    private static (double S, double E) FastTwoSum(double a, double b)
    {
        var s = a + b;
        return (s, b - (s - a));
    }

    private static DoubleDouble Normalized(double hi, double lo)
    {
        var (s, e) = FastTwoSum(hi, lo);
        return double.IsFinite(s) ? new(s, e) : new(s, 0);
    }
}
