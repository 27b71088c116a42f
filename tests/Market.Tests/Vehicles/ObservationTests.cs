using V2V.Market.Vehicles;

namespace V2V.Market.Tests.Vehicles;

/// <summary>The SPEC 7 observation vector: its order, the role one-hot, and the size check.</summary>
public sealed class ObservationTests
{
    [Theory]
    [InlineData(Role.Neutral, 1f, 0f, 0f)]
    [InlineData(Role.Buyer, 0f, 1f, 0f)]
    [InlineData(Role.Seller, 0f, 0f, 1f)]
    public void WriteTo_WritesTheTwelveValuesInSpecOrder(Role role, float neutral, float buyer, float seller)
    {
        var observation = new Observation(0.4, 0.8, 0.4, 0.25, 0.5, 0.75, 0.9, 0.85, role, 0.125);
        var values = new float[Observation.Size + 1];
        values[^1] = -7f;

        observation.WriteTo(values);

        Assert.Equal([0.4f, 0.8f, 0.4f, 0.25f, 0.5f, 0.75f, 0.9f, 0.85f, neutral, buyer, seller, 0.125f, -7f], values);
    }

    [Fact]
    public void WriteTo_ShortDestination_NamesTheSizeNeeded()
    {
        var observation = new Observation(0, 0, 0, 0, 0, 0, 0, 0, Role.Buyer, 0);

        var error = Assert.Throws<ArgumentException>(() => observation.WriteTo(new float[11]));

        Assert.StartsWith("need 12 values, got 11", error.Message);
    }
}
