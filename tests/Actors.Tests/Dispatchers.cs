namespace V2V.Actors.Tests;

/// <summary>Theory data: the contract tests run on both dispatchers.</summary>
public static class Dispatchers
{
    public static TheoryData<DispatcherKind> Both => new() { DispatcherKind.VirtualTime, DispatcherKind.WallClock };
}
