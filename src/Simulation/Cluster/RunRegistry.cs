using System.Collections.Concurrent;
using Akka.Actor;
using V2V.Agents.Policies;
using V2V.Agents.Vehicles;
using V2V.Market.Faults;
using V2V.Market.Vehicles;

namespace V2V.Simulation.Cluster;

/// <summary>
/// What a member knows of the runs it hosts EVs for, by run id: the node-wide service (an Akka extension) that the
/// <see cref="RunSpecHolder"/> fills when a run announces itself and the EV entities read when they start. Each run's
/// entry is written once, before any of its EVs can start (the run waits for every member's
/// <see cref="RunSpecStored"/>), and only read after that.
/// </summary>
public sealed class RunRegistry : IExtension
{
    private readonly ConcurrentDictionary<string, HostedRun> runs = new(StringComparer.Ordinal);

    public static RunRegistry For(ActorSystem system) => system.WithExtension<RunRegistry, RunRegistryProvider>();

    internal void Keep(RunSpec spec) => runs[spec.Run] = new HostedRun(spec);

    internal void Forget(string run) => runs.TryRemove(run, out _);

    /// <summary>The run <paramref name="run"/>, or null when this member was never told of it.</summary>
    internal HostedRun? Find(string run) => runs.TryGetValue(run, out var hosted) ? hosted : null;
}

/// <summary>Creates the <see cref="RunRegistry"/> of an actor system.</summary>
public sealed class RunRegistryProvider : ExtensionIdProvider<RunRegistry>
{
    public override RunRegistry CreateExtension(ExtendedActorSystem system) => new();
}

/// <summary>One run as a member hosts it: what every EV of the run is made from, built once from its spec.</summary>
internal sealed class HostedRun(RunSpec spec)
{
    private readonly VehicleModel model = VehicleModels.From(spec.Market);
    private readonly Func<Vehicle, IBiddingPolicy> policyFor = Policies.For(spec.Market.Policy);

    /// <summary>The run's spec as the run sent it (a facility hosted here is made from it).</summary>
    public RunSpec Spec { get; } = spec;

    public FaultPlan Faults { get; } = new(spec.Simulation.Faults, spec.Market.Seed);

    /// <summary>A fresh state for an incarnation of <paramref name="vehicle"/>'s EV (nothing survives a restart).</summary>
    public EvAgentState NewState(Vehicle vehicle) => new(vehicle, model, policyFor(vehicle));
}

/// <summary>
/// The member's keeper of run specs, at <c>/user/v2v-runs</c> on every member: keeps a run's spec in the
/// <see cref="RunRegistry"/> and answers <see cref="RunSpecStored"/>; drops it on <see cref="ForgetRun"/>.
/// </summary>
public sealed class RunSpecHolder : ReceiveActor
{
    public const string Name = "v2v-runs";

    public RunSpecHolder(int shards)
    {
        var registry = RunRegistry.For(Context.System);
        var member = Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString();
        Receive<RunSpec>(spec =>
        {
            registry.Keep(spec);
            Sender.Tell(new RunSpecStored(spec.Run, member, shards), Self);
        });
        Receive<ForgetRun>(f => registry.Forget(f.Run));
    }

    public static Props Props(int shards) => Akka.Actor.Props.Create(() => new RunSpecHolder(shards));
}
