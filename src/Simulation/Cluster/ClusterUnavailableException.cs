namespace V2V.Simulation.Cluster;

/// <summary>
/// The cluster a member or a run needs is not there in time: the seed cannot be reached, or the members with a needed
/// role did not join. The message is one line naming the seed and what was missing.
/// </summary>
public sealed class ClusterUnavailableException(string message) : Exception(message);
