using Akka.Actor;
using V2V.Agents.Vehicles;
using V2V.Learning.Actors;
using V2V.Market.Protocol;
using V2V.Market.Vehicles;

namespace V2V.Simulation.Cluster;

/// <summary>
/// What a member's EVs of a training run use (<see cref="HostTraining"/>): the member's learner, which they send their
/// transitions to, and each EV's exploring policy over the member's one <see cref="VersionedPolicy"/> of the run.
/// </summary>
internal sealed record HostedTraining(IActorRef Learner, Func<Vehicle, IBiddingPolicy> PolicyFor);

/// <summary>
/// The member's side of training on a cluster, at <c>/user/v2v-training</c> on every member: for an episode's run it
/// makes the member's policy of the run, its <see cref="PolicyHolderActor"/> (which the critic publishes versions to;
/// a version crosses the network once per member) and its <see cref="LearnerActor"/> (which batches the member's EVs'
/// transitions to the critic), and sets them on the run (<see cref="HostedRun.Training"/>) before any EV of the run
/// starts here (the training process waits for <see cref="TrainingHosted"/>). A holder or learner that throws is
/// stopped, never restarted; <see cref="ForgetRun"/> stops both.
/// </summary>
public sealed class ClusterTrainingMember : ReceiveActor
{
    public const string Name = "v2v-training";

    private readonly Dictionary<string, (IActorRef Holder, IActorRef Learner)> hosted = new(StringComparer.Ordinal);

    public ClusterTrainingMember()
    {
        var registry = RunRegistry.For(Context.System);
        Receive<HostTraining>(h =>
        {
            if (registry.Find(h.Run) is not { } run)
            {
                var member = Akka.Cluster.Cluster.Get(Context.System).SelfAddress;
                Sender.Tell(new TrainingRefused($"member {member} was never told of run {h.Run}"), Self);
                return;
            }

            var policy = new VersionedPolicy(h.ActorSizes);
            var holder = Context.ActorOf(PolicyHolderActor.Props(policy));
            var learner = Context.ActorOf(LearnerActor.Props(h.Critic, h.BatchSize));
            hosted[h.Run] = (holder, learner);
            run.Training = new HostedTraining(
                learner, v => ExploringPolicy.ForEpisode(policy, h.OuTheta, h.Sigma, h.Seed, h.Episode, v.Id));
            Sender.Tell(new TrainingHosted(h.Run, holder, learner), Self);
        });
        Receive<ForgetRun>(f =>
        {
            if (hosted.Remove(f.Run, out var actors))
            {
                Context.Stop(actors.Holder);
                Context.Stop(actors.Learner);
            }
        });
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new ClusterTrainingMember());

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);
}
