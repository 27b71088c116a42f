using V2V.Clearing.Nash;
using V2V.Market.Configuration;
using V2V.Market.Orders;
using static V2V.Clearing.Tests.Contract.ContractBooks;

namespace V2V.Clearing.Tests.Nash;

/// <summary>
/// The fallbacks for books whose quantities span 1e-9 .. 1e6 kWh (issue 17): the double-double certificate
/// (<see cref="DoubleDouble"/>, <c>CertificateEvaluator.ConsiderPrecise</c>) and the active-set Newton method
/// (<see cref="ActiveSetNewton"/>), on books of the scales family that neither the interior point method nor the earlier
/// fallbacks certified (found in seeded samples on 2026-12-07), and on a book solved by hand.
/// </summary>
public sealed class ScaleFallbackTests
{
    private static readonly ClearingConfig NoMinimum = Config(ClearingMechanisms.NashName) with { SolverMaxIterations = 200, MinTradeKwh = 0 };

    [Fact]
    public void NashBargaining_OptimalQuantitiesWhosePotentialsLoseDigitsInDouble_CertifiedInDoubleDouble()
    {
        // Certified 1.3e-9 before (the test's own bound: 0): the seller's multiplier is a small difference of pair profits
        // g (mu_b + mu_s), and b0's mu is ~1e4 with eps 2e-8.
        var book = new OrderBook(
            [new Order("b0", 0.15340853999999998, 8.884234228715644E-05), new Order("b1", 0.19618103999999997, 562820.6196688246)],
            [new Order("s0", 0.12279755000000002, 33.99108284431908)],
            2.14001097192146E-08);

        var result = new NashBargaining(NoMinimum).Clear(book);

        Assert.True(result.Certificate!.Certified, $"{result.Certificate}");
        NashBookChecks.AssertSound(book, result, NoMinimum);
    }

    [Fact]
    public void NashBargaining_QuantitiesEightThousandthsShortOfTheOptimum_CertifiedByActiveSetNewton()
    {
        // Before: 200 iterations, the log-barrier method and the exact LP dual left it at a relative gap of 8.5e-3, and
        // the test's own bound agreed (the quantities were that far from the optimum).
        var book = new OrderBook(
            [
                new Order("b0", 0.17634612, 633519.5186800938), new Order("b1", 0.15080178, 21943.959850723913),
                new Order("b2", 0.28318422, 0.02909008565381181),
            ],
            [
                new Order("s0", 0.19608530000000002, 316843.6444073517), new Order("s1", 0.059354750000000005, 3419.912542691862),
                new Order("s2", 0.0800402, 0.019820974372138353), new Order("s3", 0.10505735000000001, 0.03707831588026299),
                new Order("s4", 0.09229760000000001, 82.27350510796143), new Order("s5", 0.11095280000000002, 4.2198304339986355E-08),
                new Order("s6", 0.13882280000000002, 2.012912978323419), new Order("s7", 0.08601935000000001, 164793.47052046677),
            ],
            3.1097967116978616E-09);

        var result = new NashBargaining(NoMinimum).Clear(book);

        Assert.True(result.Certificate!.Certified, $"{result.Certificate}");
        Assert.Equal(ClearingMethod.ActiveSetNewton, result.Certificate.Method);
        Assert.Equal("active-set-newton", ClearingMethodNames.Of(result.Certificate.Method));
        var independent = NashBookChecks.AssertSound(book, result, NoMinimum);
        Assert.True(independent <= 1e-12, $"independent gap {independent:E2}");
    }

    [Theory]
    // The active set right from the start (both pairs trade, the seller binds).
    [InlineData(2.5, 0.5)]
    // b2's pair holds nothing: it must enter through its violated dual constraint.
    [InlineData(2.5, 0.0)]
    public void ActiveSetNewton_OneSellerTwoIdenticalBuyersFromAnUnevenStart_SplitsTheSellersQuantityEqually(double first, double second)
    {
        // By hand (NashHandSolvedTests): the seller's 3 kWh all go, and symmetry with strict concavity gives 1.5 each.
        var book = Book([Bid("b1", 0.24, 2.5), Bid("b2", 0.24, 2.5)], [Ask("s1", 0.16, 3)]);
        var problem = NashProblem.Build(book, 0);

        var q = ActiveSetNewton.Solve(problem, [first, second], SolverDeadline.None);

        Assert.NotNull(q);
        Assert.Equal(1.5, q[0], 12);
        Assert.Equal(1.5, q[1], 12);
    }

    [Fact]
    public void DoubleDouble_SumsProductsAndQuotients_KeepTheDigitsDoubleLoses()
    {
        // 1e16 + 1 - 1e16 is 0 in double and 1 here; 0.1 x 0.1's rounding error is the product's low part exactly.
        var sum = (new DoubleDouble(1e16, 0) + 1.0) - 1e16;
        Assert.Equal(1.0, sum.Value);
        var product = DoubleDouble.Product(0.1, 0.1);
        Assert.Equal(0.1 * 0.1, product.Hi);
        Assert.Equal(Math.FusedMultiplyAdd(0.1, 0.1, -(0.1 * 0.1)), product.Lo);

        // (1 / 3) x 3 - 1 is within ~1e-32 of 0, and (1e8 + 1e-8) - 1e8 keeps the 1e-8 to ~1e-24.
        var third = DoubleDouble.Zero + 1.0;
        third /= 3.0;
        Assert.True(Math.Abs(((third * 3.0) - 1.0).Value) < 1e-31);
        var small = (new DoubleDouble(1e8, 0) + 1e-8) - 1e8;
        Assert.Equal(1e-8, small.Value, 1e-24);
        Assert.True(new DoubleDouble(1, 1e-20) > 1.0 && new DoubleDouble(1, -1e-20) < 1.0);
        Assert.Equal(double.PositiveInfinity, (new DoubleDouble(double.PositiveInfinity, 0) - 5.0).Hi);
    }
}
