using V2V.Agents.Vehicles;
using V2V.Market.Configuration;
using V2V.Market.Vehicles;

namespace V2V.Agents.Tests.Vehicles;

public sealed class VehicleModelTests
{
    private static readonly VehicleModel Model = new(SpecValues.Vehicle, SpecValues.Values, SpecValues.Tariff, SpecValues.Time, SpecValues.Population.StayMaxSteps);

    [Fact]
    public void StepCap_SpecDefaults_Is5Point5Kwh() => Assert.Equal(5.5, Model.StepCapKwh, 12);

    [Theory]
    [InlineData(0.40, 0.60, Role.Buyer)]
    [InlineData(0.60, 0.60, Role.Neutral)]
    [InlineData(0.65, 0.60, Role.Neutral)] // exactly target + buffer is not yet a seller
    [InlineData(0.66, 0.60, Role.Seller)]
    public void RoleOf_AroundTargetAndBuffer_FollowsSpec(double soc, double target, Role expected) =>
        Assert.Equal(expected, Model.RoleOf(soc, target));

    [Theory]
    [InlineData(0.6 - 1e-9, 0.60, Role.Neutral)]          // need 7.5e-8 kWh < 1e-6: could never trade
    [InlineData(0.6 - 1e-7, 0.60, Role.Buyer)]            // need 7.5e-6 kWh
    [InlineData(0.65 + 1e-9, 0.60, Role.Neutral)]         // surplus 7.5e-8 kWh
    [InlineData(0.65 + 1e-7, 0.60, Role.Seller)]          // surplus 7.5e-6 kWh
    public void RoleOf_NeedOrSurplusBelowMinimumOffer_IsNeutral(double soc, double target, Role expected)
    {
        var model = new VehicleModel(
            SpecValues.Vehicle with { MinOfferKwh = 1e-6 }, SpecValues.Values, SpecValues.Tariff, SpecValues.Time, SpecValues.Population.StayMaxSteps);

        Assert.Equal(expected, model.RoleOf(soc, target));
        Assert.Equal(expected == Role.Neutral, model.OfferCapKwh(soc, target) == 0);

        // Without the minimum (0, the record's default) the same battery has the plain SPEC 2 role.
        Assert.Equal(soc < target ? Role.Buyer : Role.Seller, Model.RoleOf(soc, target));
    }

    [Fact]
    public void Evaluate_Buyer_HandComputedNeedUrgencyAndValue()
    {
        // need = (0.6 - 0.4) * 75 = 15 kWh; urgency = 15 / (5.5 * 4) = 0.681818...;
        // v = 0.05 + 0.23 * (0.6 + 0.4 * 0.681818) = 0.05 + 0.23 * 0.872727 = 0.250727...
        var s = Model.Evaluate(0.4, 0.6, stepsLeft: 4, stepOfDay: 0);
        Assert.Equal(Role.Buyer, s.Role);
        Assert.Equal(15, s.NeedOrSurplusKwh, 9);
        Assert.Equal(5.5, s.CapKwh, 12);
        Assert.Equal(15 / 22.0, s.Urgency, 12);
        Assert.Equal(0.05 + (0.23 * (0.6 + (0.4 * 15 / 22.0))), s.TrueValueAudPerKwh, 12);
    }

    [Fact]
    public void Urgency_NeedExceedsWhatRemainingStepsCanDeliver_ClipsToOne()
    {
        // 30 kWh in one step left: 30 / 5.5 > 1, clipped; value hits the grid price.
        var s = Model.Evaluate(0.2, 0.6, stepsLeft: 1, stepOfDay: 0);
        Assert.Equal(1, s.Urgency);
        Assert.Equal(0.28, s.TrueValueAudPerKwh, 12);
    }

    [Fact]
    public void Urgency_ZeroStepsLeft_TreatedAsOne() =>
        Assert.Equal(Model.Urgency(2.75, 1), Model.Urgency(2.75, 0), 12);

    [Fact]
    public void Evaluate_SmallNeed_CapIsTheNeedNotTheStepCap()
    {
        var s = Model.Evaluate(0.58, 0.6, stepsLeft: 8, stepOfDay: 0);
        Assert.Equal(1.5, s.CapKwh, 9);
    }

    [Fact]
    public void Evaluate_Seller_HandComputedSurplusAndReservation()
    {
        // surplus = (0.9 - 0.5 - 0.05) * 75 = 26.25; room = 75 * (1 - 0.5 - 0.05) = 33.75; fraction = 0.777...;
        // c = 0.16 * (1 - 0.3 * 0.7777...) + 0.03 = 0.16 * 0.76666... + 0.03 = 0.152666...
        var s = Model.Evaluate(0.9, 0.5, stepsLeft: 5, stepOfDay: 3);
        Assert.Equal(Role.Seller, s.Role);
        Assert.Equal(26.25, s.NeedOrSurplusKwh, 9);
        Assert.Equal(5.5, s.CapKwh, 12);
        Assert.Equal(0, s.Urgency);
        Assert.Equal((0.16 * (1 - (0.3 * 26.25 / 33.75))) + 0.03, s.TrueValueAudPerKwh, 12);
    }

    [Fact]
    public void TrueValues_OverTheirRanges_StayWithinSpecBounds()
    {
        // SPEC 2: v in [0.188, 0.28]; c in about [0.142, 0.19].
        for (var u = 0.0; u <= 1.0; u += 0.05)
        {
            var v = Model.BuyerValue(u, 0);
            Assert.InRange(v, 0.188 - 1e-12, 0.28 + 1e-12);
        }

        for (var target = 0.5; target <= 0.8; target += 0.05)
        {
            for (var surplus = 0.0; surplus <= 40; surplus += 2.5)
            {
                Assert.InRange(Model.SellerReservation(surplus, target), 0.142 - 1e-12, 0.19 + 1e-12);
            }
        }
    }

    [Fact]
    public void BuyerValue_TimeOfUseTariff_UsesThePriceOfTheStepOfDay()
    {
        var tou = SpecValues.Tariff with { GridPriceByStepOfDay = [0.20, 0.40] };
        var model = new VehicleModel(SpecValues.Vehicle, SpecValues.Values, tou, SpecValues.Time, 12);
        Assert.Equal(0.05 + (0.15 * 0.6), model.BuyerValue(0, 0), 12);
        Assert.Equal(0.05 + (0.35 * 0.6), model.BuyerValue(0, 3), 12);
    }

    [Fact]
    public void Vehicle_StepsLeft_CountsTheCurrentStep()
    {
        var v = new Vehicle("ev-1", ArrivalStep: 10, DepartureStep: 14, 0.5, 0.6, 0);
        Assert.Equal(4, v.StepsLeft(10));
        Assert.Equal(1, v.StepsLeft(13));
        Assert.True(v.IsParkedAt(13));
        Assert.False(v.IsParkedAt(14));
    }
}
