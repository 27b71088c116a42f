using Akka.Actor;
using Akka.Actor.Internal;
using Akka.Configuration;
using V2V.Market.Faults;

namespace V2V.Learning.Actors;

/// <summary>
/// The parent of a run's top-level actors (the market coordinator, the policy holder, the learners, the critic): a
/// child that throws is stopped, never restarted (a restarted critic would go on with the failing message dropped),
/// except for a planned coordinator restart (the coordinator then resumes from its ledger, never from step 0), and the failure is handed to <c>onFailure</c> with the child's name,
/// for the code that started the run to stop it loudly. Akka's own failure log is suppressed: the failure is reported
/// once, by us, as one line.
/// </summary>
public sealed class Guardian : ReceiveActor
{
    private readonly SupervisorStrategy strategy;

    public Guardian(Action<string, Exception> onFailure)
    {
        strategy = new ReportingStrategy(onFailure);
        Receive<Spawn>(s => Sender.Tell(Context.ActorOf(s.Props, s.Name), Self));
    }

    public static Props Props(Action<string, Exception> onFailure) => Akka.Actor.Props.Create(() => new Guardian(onFailure));

    /// <summary>Starts a child of <paramref name="guardian"/> from outside the actor system and returns it.</summary>
    public static IActorRef SpawnUnder(IActorRef guardian, Props props, string name) =>
        guardian.Ask<IActorRef>(new Spawn(props, name), TimeSpan.FromMinutes(1)).GetAwaiter().GetResult();

    protected override SupervisorStrategy SupervisorStrategy() => strategy;

    /// <summary>Local only: carries <see cref="Akka.Actor.Props"/>, which never cross a node.</summary>
    public sealed record Spawn(Props Props, string Name) : INoSerializationVerificationNeeded;

    // The one exception: a coordinator restart the run's fault plan injects restarts it in place, and it resumes from
    // its ledger (it is not a failure of the run).
    private sealed class ReportingStrategy(Action<string, Exception> onFailure)
        : OneForOneStrategy(e => e is PlannedCoordinatorRestart ? Directive.Restart : Directive.Stop)
    {
        public override void ProcessFailure(
            IActorContext context, bool restart, IActorRef child, Exception cause, ChildRestartStats stats, IReadOnlyCollection<ChildRestartStats> children)
        {
            if (restart)
            {
                base.ProcessFailure(context, restart, child, cause, stats, children);
                return;
            }

            onFailure(child.Path.Name, cause);
            base.ProcessFailure(context, restart, child, cause, stats, children);
        }

        protected override void LogFailure(IActorContext context, IActorRef child, Exception cause, Directive directive)
        {
        }
    }
}

/// <summary>The Akka settings every actor system of ours starts from: quiet logs (failures are reported by us, once).</summary>
public static class ActorSystems
{
    public static Config Quiet { get; } = ConfigurationFactory.ParseString("""
        akka {
          loglevel = ERROR
          stdout-loglevel = OFF
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
          actor.guardian-supervisor-strategy = "Akka.Actor.StoppingSupervisorStrategy"
        }
        """);
}
