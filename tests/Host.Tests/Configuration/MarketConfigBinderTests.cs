using V2V.Host.Configuration;

namespace V2V.Host.Tests.Configuration;

public sealed class MarketConfigBinderTests
{
    [Fact]
    public void Bind_ReferenceDefaults_MinimumOfferEqualsTheMinimumTrade()
    {
        var c = MarketConfigBinder.Bind(ConfigLoader.Load(null, []));

        Assert.Equal(1e-6, c.Vehicle.MinOfferKwh);
        Assert.Equal(c.Clearing.MinTradeKwh, c.Vehicle.MinOfferKwh);
    }

    [Fact]
    public void Bind_NegativeMinimumOffer_NamesTheKey()
    {
        var e = Assert.ThrowsAny<Exception>(() => MarketConfigBinder.Bind(ConfigLoader.Load(null, ["v2v.vehicle.min-offer-kwh=-1"])));

        Assert.Contains("v2v.vehicle.min-offer-kwh", e.Message);
    }
}
