using System.Collections.Concurrent;
using Akka.Actor;
using V2V.Agents.Policies;
using V2V.Agents.Vehicles;
using V2V.Learning.Actors;
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

/// <summary>
/// One run as a member hosts it: what every EV of the run is made from, built once from its spec. A learned run's EVs
/// all bid with the member's one <see cref="VersionedPolicy"/> of the run (<see cref="Learned"/>), set before any of
/// them starts (the run waits for <see cref="PolicyHosted"/> and the version's application first).
/// </summary>
internal sealed class HostedRun(RunSpec spec)
{
    private readonly VehicleModel model = VehicleModels.From(spec.Market);
    private readonly Func<Vehicle, IBiddingPolicy>? builtIn = spec.Market.Policy.Kind == Policies.Learned ? null : Policies.For(spec.Market.Policy);

    /// <summary>The run's spec as the run sent it (a facility hosted here is made from it).</summary>
    public RunSpec Spec { get; } = spec;

    public FaultPlan Faults { get; } = new(spec.Simulation.Faults, spec.Market.Seed);

    /// <summary>The learned policy the run's EVs on this member bid with (null until <see cref="HostPolicy"/>).</summary>
    public VersionedPolicy? Learned { get; set; }

    /// <summary>A training episode's learner and exploring policies on this member (null until <see cref="HostTraining"/>).</summary>
    public HostedTraining? Training { get; set; }

    /// <summary>A fresh state for an incarnation of <paramref name="vehicle"/>'s EV (nothing survives a restart).</summary>
    public EvAgentState NewState(Vehicle vehicle) => new(vehicle, model, PolicyFor(vehicle));

    /// <summary>
    /// The policy <paramref name="vehicle"/>'s EV bids with: its exploring policy in a training episode, else the built-in
    /// one of the spec, else the member's learned policy of the run (a facility hosted here gives it to the EVs it keeps).
    /// </summary>
    public IBiddingPolicy PolicyFor(Vehicle vehicle) =>
        Training?.PolicyFor(vehicle)
        ?? builtIn?.Invoke(vehicle)
        ?? (IBiddingPolicy?)Learned
        ?? throw new InvalidOperationException($"EV {vehicle.Id} of run {Spec.Run} started before the run's learned policy reached this member");
}

/// <summary>
/// The member's keeper of run specs, at <c>/user/v2v-runs</c> on every member: keeps a run's spec in the
/// <see cref="RunRegistry"/> and answers <see cref="RunSpecStored"/>; for a learned run, makes the member's policy of
/// the run, which the EVs of the specs it names bid with, and its holder (<see cref="HostPolicy"/>); drops a spec, or a
/// run's holder, on <see cref="ForgetRun"/>.
/// </summary>
public sealed class RunSpecHolder : ReceiveActor
{
    public const string Name = "v2v-runs";

    private readonly Dictionary<string, IActorRef> policyHolders = new(StringComparer.Ordinal);

    public RunSpecHolder(int shards)
    {
        var registry = RunRegistry.For(Context.System);
        var member = Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString();
        Receive<RunSpec>(spec =>
        {
            registry.Keep(spec);
            Sender.Tell(new RunSpecStored(spec.Run, member, shards), Self);
        });
        Receive<HostPolicy>(h =>
        {
            var runs = h.Specs.Select(registry.Find).ToList();
            if (runs.IndexOf(null) is var unknown and >= 0)
            {
                Sender.Tell(new Status.Failure(new InvalidOperationException($"member {member} was never told of run {h.Specs[unknown]}")), Self);
                return;
            }

            // One policy for every spec of the run: the member applies each version once, whatever its facilities.
            var policy = new VersionedPolicy(h.ActorSizes);
            foreach (var run in runs)
            {
                run!.Learned = policy;
            }

            var holder = Context.ActorOf(PolicyHolderActor.Props(policy));
            policyHolders[h.Run] = holder;
            Sender.Tell(new PolicyHosted(h.Run, holder), Self);
        });
        Receive<ForgetRun>(f =>
        {
            registry.Forget(f.Run);
            if (policyHolders.Remove(f.Run, out var holder))
            {
                Context.Stop(holder);
            }
        });
    }

    public static Props Props(int shards) => Akka.Actor.Props.Create(() => new RunSpecHolder(shards));
}
