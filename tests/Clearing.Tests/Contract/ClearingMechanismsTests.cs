using V2V.Clearing;
using static V2V.Clearing.Tests.Contract.ContractBooks;

namespace V2V.Clearing.Tests.Contract;

public sealed class ClearingMechanismsTests
{
    [Fact]
    public void Names_ContainEveryMechanism()
    {
        Assert.Contains("nash", ClearingMechanisms.Names);
        Assert.Contains("double-auction", ClearingMechanisms.Names);
        Assert.Contains("greedy-average", ClearingMechanisms.Names);
        Assert.Equal(ClearingMechanisms.Names.Count, ClearingMechanisms.Names.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Create_UnknownName_ThrowsNamingItAndTheValidNames()
    {
        var ex = Assert.Throws<ArgumentException>(() => ClearingMechanisms.Create("vickrey", Config("vickrey")));
        Assert.Contains("'vickrey'", ex.Message, StringComparison.Ordinal);
        foreach (var name in ClearingMechanisms.Names)
        {
            Assert.Contains(name, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Create_WrongCase_Throws()
    {
        Assert.Throws<ArgumentException>(() => ClearingMechanisms.Create("Double-Auction", Config("x")));
    }

    [Fact]
    public void Create_NullConfig_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => ClearingMechanisms.Create("double-auction", null!));
    }
}
