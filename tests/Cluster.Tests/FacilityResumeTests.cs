using Akka.Actor;
using V2V.Market.Configuration;
using V2V.Market.Faults;
using V2V.Coordinator.Actors;
using V2V.Coordinator.Ledger;
using V2V.EndToEnd.Tests;
using V2V.Simulation;
using V2V.Simulation.Cluster;
using V2V.Simulation.Facilities;

namespace V2V.Cluster.Tests;

/// <summary>
/// A run of three facilities over three members (the run's, with role market, and two with market and agents) where
/// the member holding facility f001 goes: its coordinator resumes from the records on the run's member on another
/// member, and the run completes. Facilities are placed agents members first, by rank (EvSharding.ShardByRank, agentsFirst):
/// f000 on agents member 0, f001 on agents member 1, f002 on the run's member.
/// </summary>
public sealed class FacilityResumeTests
{
    private const int LossStep = 6;

    // The shard coordinator retries an update of its state that a lost member did not answer after 1 s, not 5 s, and
    // needs a majority of the members, not all of them (Akka's default adds 3 to the majority): a facility's shard is
    // placed again within seconds of its member's removal.
    private static readonly Akka.Configuration.Config Quick = Akka.Configuration.ConfigurationFactory.ParseString("""
        akka.cluster.failure-detector.heartbeat-interval = 1s
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 3s
        akka.cluster.split-brain-resolver.stable-after = 2s
        akka.cluster.sharding.updating-state-timeout = 1s
        akka.cluster.sharding.coordinator-state.write-majority-plus = 0
        """);

    private static string[] Scenario(int seed, bool scheduled) =>
    [
        .. Sim.AllFaults(seed, agents: 10),
        "v2v.cluster.shards=20",
        .. scheduled
            ? (string[])[$"v2v.simulation.faults.node-loss.at-step={LossStep}", "v2v.simulation.faults.node-loss.nodes=2", "v2v.simulation.faults.node-loss.node=1"]
            : [],
    ];

    [Fact]
    public async Task RunFacilities_ScheduledLossOfTheMemberHoldingAFacility_EveryLedgerIsTheOneProcessLedgerTwice()
    {
        var (market, simulation) = Sim.Config(Scenario(seed: 31, scheduled: true));
        var facilities = FacilityPlan.For(market, 3);
        var alone = facilities.Select(_ => new MemoryLedger()).ToList();
        SimulationRunner.RunFacilities(facilities, simulation, alone);

        var first = await RunWithScheduledLoss(facilities, simulation);
        var second = await RunWithScheduledLoss(facilities, simulation);

        // f001 resumed on another member at the loss, its EVs on the member that stayed re-attached in the state of the
        // last close: every facility, the resumed one too, is the one-process facility, byte for byte.
        for (var k = 0; k < facilities.Count; k++)
        {
            Assert.Equal(first[k], second[k]);
            Assert.Equal(Loopback.Lines(alone[k]), first[k]);
        }

        // What that means for f001, said independently of the one-process run: only the EVs of virtual node 1 (EV shard
        // odd, of 20) were lost with the node; the others parked there went on bidding after the resume and left with
        // their own report.
        var resumed = first[1].Select(l => LedgerJson.Deserialize(l, 0)).ToList();
        var parked = Parked(resumed, LossStep);
        var ofNode = parked.Where(a => NodeLoss.ShardOf(a, 20) % 2 == 1).Order(StringComparer.Ordinal).ToList();
        var kept = parked.Except(ofNode).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(ofNode);
        Assert.NotEmpty(kept);
        var lost = resumed.OfType<AgentDeparted>().Where(d => d.Reason == MarketCoordinatorActor.LostWithNode).ToList();
        Assert.Equal(ofNode, lost.Select(d => d.Agent).Order(StringComparer.Ordinal));
        Assert.All(lost, d => Assert.Equal(LossStep, d.Step));
        Assert.Contains(resumed.OfType<OrderAccepted>(), o => o.Step > LossStep && kept.Contains(o.Agent));
        Assert.Contains(resumed.OfType<AgentDeparted>(), d => d.Step > LossStep && kept.Contains(d.Agent) && d.Reported);
        AssertConsistent(resumed, market.Time.TotalSteps);
    }

    [Fact]
    public void RunFacilities_MemberHoldingAFacilityDownedMidRun_TheFacilityResumesElsewhereAndEveryLedgerVerifies()
    {
        var (market, simulation) = Sim.Config([.. Scenario(seed: 37, scheduled: false), "v2v.time.days=10", "v2v.population.agents=40"]);
        var facilities = FacilityPlan.For(market, 3);
        var alone = facilities.Select(_ => new MemoryLedger()).ToList();
        SimulationRunner.RunFacilities(facilities, simulation, alone);

        var (ledgers, lostFacility) = RunDowned(facilities, simulation, evsWithFacility: true);

        // EVs live with their facility here: the other two are the one-process facilities, byte for byte.
        Assert.All(Enumerable.Range(0, 3).Where(k => k != lostFacility), k => Assert.Equal(Loopback.Lines(alone[k]), Loopback.Lines(ledgers[k])));

        var resumed = ledgers[lostFacility].Entries;
        var lost = resumed.OfType<AgentDeparted>().Where(d => d.Reason == MarketCoordinatorActor.LostWithNode).ToList();
        Assert.NotEmpty(lost);
        Assert.Single(lost.Select(d => d.Step).Distinct());
        Assert.InRange(lost[0].Step, DownedAfter, market.Time.TotalSteps - 1);
        Assert.Equal(Parked(resumed, lost[0].Step).Order(StringComparer.Ordinal), lost.Select(d => d.Agent).Order(StringComparer.Ordinal));
        AssertConsistent(resumed, market.Time.TotalSteps);
    }

    [Fact]
    public void RunFacilities_MemberHoldingAFacilityAndEvsDownedMidRun_OnlyItsEvsAreLostTheOthersTradeOnAndEveryLedgerVerifies()
    {
        var (market, simulation) = Sim.Config([.. Scenario(seed: 41, scheduled: false), "v2v.time.days=4", "v2v.population.agents=40"]);
        var facilities = FacilityPlan.For(market, 3);

        var (ledgers, victim) = RunDowned(facilities, simulation, evsWithFacility: false);

        // The victim, agents member `victim` of two, held the EVs of odd or even shards (of 20) of every facility: only
        // those are lost with the node, in the facility that resumed as in the two that lost EVs to it.
        bool OnVictim(string agent) => NodeLoss.ShardOf(agent, 20) % 2 == victim;
        foreach (var ledger in ledgers)
        {
            AssertConsistent(ledger.Entries, market.Time.TotalSteps);
            Assert.All(ledger.Entries.OfType<AgentDeparted>().Where(d => d.Reason == MarketCoordinatorActor.LostWithNode), d => Assert.True(OnVictim(d.Agent), d.Agent));
        }

        // The facility that resumed lost every EV of the victim parked there at its resume, and kept the others, which
        // bid on after it (each leaves once, consistently: checked above).
        var resumed = ledgers[victim].Entries;
        var lost = resumed.OfType<AgentDeparted>().Where(d => d.Reason == MarketCoordinatorActor.LostWithNode).ToList();
        Assert.NotEmpty(lost);
        var at = Assert.Single(lost.Select(d => d.Step).Distinct());
        var parked = Parked(resumed, at);
        Assert.Equal(parked.Where(OnVictim).Order(StringComparer.Ordinal), lost.Select(d => d.Agent).Order(StringComparer.Ordinal));
        var kept = parked.Where(a => !OnVictim(a)).ToHashSet(StringComparer.Ordinal);
        Assert.Contains(resumed.OfType<OrderAccepted>(), o => o.Step >= at && kept.Contains(o.Agent));
    }

    [Fact]
    public void RunThenVerify_FacilitiesOnThreeNodesWithAScheduledLoss_EveryFacilityFolderVerifiesAndHoldsTheOneProcessLedger()
    {
        var dir = Directory.CreateTempSubdirectory("v2v-facility-resume-").FullName;
        try
        {
            string[] run =
            [
                "run", "--facilities", "3", "--agents", "10", "--days", "1", "--seed", "5", "--nodes", "3", "--quiet",
                .. Scenario(seed: 5, scheduled: true).Skip(1).SelectMany(s => new[] { "--set", s }),
            ];
            string[] alone = [.. run.Where((a, i) => a != "--nodes" && run[Math.Max(i - 1, 0)] != "--nodes")];
            string[] folders = [Path.Combine(dir, "first"), Path.Combine(dir, "second"), Path.Combine(dir, "alone")];
            foreach (var folder in folders)
            {
                var (runCode, runError) = V2v([.. folder == folders[2] ? alone : run, "--out", folder]);
                var (verifyCode, verifyError) = V2v("verify", folder);
                Assert.True(runCode == 0, runError);
                Assert.True(verifyCode == 0, verifyError);
            }

            for (var k = 0; k < 3; k++)
            {
                var ledger = Path.Combine("facilities", FacilityPlan.IdOf(k), "ledger.jsonl");
                Assert.Equal(File.ReadAllBytes(Path.Combine(folders[0], ledger)), File.ReadAllBytes(Path.Combine(folders[1], ledger)));
                Assert.Equal(File.ReadAllBytes(Path.Combine(folders[2], ledger)), File.ReadAllBytes(Path.Combine(folders[0], ledger)));
            }

            // f001 was on the member that left and resumed elsewhere; it lost only the EVs of the virtual node (EV shard odd,
            // of 20), as f000 did, and kept the others.
            List<string> Lost(string id) =>
            [
                .. LedgerJson.ReadFile(Path.Combine(folders[0], "facilities", id, "ledger.jsonl")).OfType<AgentDeparted>()
                    .Where(d => d.Reason == MarketCoordinatorActor.LostWithNode).Select(d => d.Agent).Order(StringComparer.Ordinal),
            ];
            List<string> ParkedAtLoss(string id) =>
                [.. Parked([.. LedgerJson.ReadFile(Path.Combine(folders[0], "facilities", id, "ledger.jsonl"))], LossStep).Order(StringComparer.Ordinal)];
            foreach (var id in new[] { "f000", "f001" })
            {
                Assert.Equal(ParkedAtLoss(id).Where(a => NodeLoss.ShardOf(a, 20) % 2 == 1), Lost(id));
                Assert.NotEmpty(Lost(id));
                Assert.True(Lost(id).Count < ParkedAtLoss(id).Count, $"{id} lost every EV parked");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (int Code, string Err) V2v(params string[] args)
    {
        var error = new StringWriter();
        var code = V2V.Host.Cli.CommandLine.Run(args, new StringWriter(), error);
        return (code, error.ToString());
    }

    private static async Task<IReadOnlyList<IReadOnlyList<string>>> RunWithScheduledLoss(IReadOnlyList<Facility> facilities, SimulationConfig simulation)
    {
        var seedPort = Loopback.FreePort();
        var seed = $"{Loopback.Host}:{seedPort}";
        using var a = Loopback.Member(seed, seedPort, ClusterRoles.Market, ClusterRoles.Agents);
        using var b = Loopback.Member(seed, 0, ClusterRoles.Market, ClusterRoles.Agents);
        ClusterMembers.WaitForRole(a, ClusterRoles.Agents, 2, seed, TimeSpan.FromSeconds(30));
        var victim = new[] { a, b }.Single(m => Akka.Cluster.Cluster.Get(m).SelfAddress == EvSharding.RankedAgents(a)[1]);
        var ledgers = facilities.Select(_ => new MemoryLedger()).ToList();
        var run = new ClusterRun("scheduled", Loopback.Options(seed, 0, TimeSpan.FromSeconds(30), ClusterRoles.Market), AgentsMembers: 2);
        var result = SimulationRunner.RunFacilities(facilities, simulation, ledgers, cluster: run);

        Assert.All(result.Facilities, f => Assert.True(f.Trace.Finished));
        await victim.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));
        return [.. ledgers.Select(Loopback.Lines)];
    }

    // The facilities stop being written to the victim member as soon as the run's member holds the first steps of the one on
    // it (its records arrive step by step): then the victim stops at once and is downed, as a process that dies.
    private const int DownedAfter = 1;

    /// <summary>
    /// Runs <paramref name="facilities"/> on two members with market and agents (and the run's with market), downing the
    /// one that holds the facility of its agents rank mid-run; returns the ledgers and that rank (the facility lost).
    /// </summary>
    private static (IReadOnlyList<MemoryLedger> Ledgers, int Lost) RunDowned(IReadOnlyList<Facility> facilities, SimulationConfig simulation, bool evsWithFacility)
    {
        var seedPort = Loopback.FreePort();
        var seed = $"{Loopback.Host}:{seedPort}";
        using var a = Loopback.Member(seed, seedPort, Quick, ClusterRoles.Market, ClusterRoles.Agents);

        // The victim stops at once when told to (no graceful hand-over of its shards): as a process that dies.
        var abrupt = Akka.Configuration.ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-actor-system-terminate = off").WithFallback(Quick);
        using var victim = Loopback.Member(seed, 0, abrupt, ClusterRoles.Market, ClusterRoles.Agents);
        ClusterMembers.WaitForRole(a, ClusterRoles.Agents, 2, seed, TimeSpan.FromSeconds(30));
        var address = Akka.Cluster.Cluster.Get(victim).SelfAddress;
        var lost = EvSharding.RankedAgents(a).ToList().IndexOf(address);
        var ledgers = facilities.Select(_ => new MemoryLedger()).ToList();
        var run = new ClusterRun("downed", Loopback.Options(seed, 0, TimeSpan.FromSeconds(30), ClusterRoles.Market), AgentsMembers: 2)
        {
            EvsWithFacility = evsWithFacility,
        };

        var sinks = ledgers.Select((l, k) => k == lost ? new DownAfter(l, DownedAfter, () =>
        {
            victim.Terminate();
            Akka.Cluster.Cluster.Get(a).Down(address);
        }) : (ILedgerSink)l).ToList();
        var result = SimulationRunner.RunFacilities(facilities, simulation, sinks, akka: Quick, cluster: run);

        Assert.All(result.Facilities, f => Assert.True(f.Trace.Finished));
        Assert.All(result.Facilities, f => Assert.Equal(facilities[0].Market.Time.TotalSteps, f.Trace.StepsClosed));
        return (ledgers, lost);
    }

    /// <summary>A ledger that calls <paramref name="down"/> once it has been flushed with <paramref name="steps"/> steps closed.</summary>
    private sealed class DownAfter(MemoryLedger ledger, int steps, Action down) : ILedgerSink
    {
        private bool done;

        public void Append(LedgerEntry entry) => ledger.Append(entry);

        public void Flush()
        {
            if (!done && ledger.Entries.OfType<StepClosed>().Count() >= steps)
            {
                done = true;
                down();
            }
        }

        public LedgerFile ReadBack() => ledger.ReadBack();
    }

    // The EVs parked when step `step` begins: arrived before it, not departed before it.
    private static List<string> Parked(IReadOnlyList<LedgerEntry> ledger, int step)
    {
        var departed = ledger.OfType<AgentDeparted>().Where(d => d.Step < step).Select(d => d.Agent).ToHashSet(StringComparer.Ordinal);
        return [.. ledger.OfType<AgentArrived>().Where(a => a.Step < step && !departed.Contains(a.Agent)).Select(a => a.Agent)];
    }

    // What `v2v verify` checks of a ledger: the order (each step closed once, in turn), the trades, the money and energy;
    // and every EV leaves exactly once, and no trade is committed twice.
    private static void AssertConsistent(IReadOnlyList<LedgerEntry> ledger, int steps)
    {
        var numbered = ledger.Select((e, i) => new NumberedEntry(i + 1, e)).ToList();
        var sequence = LedgerSequenceVerifier.Check(numbered);
        Assert.Empty(sequence.Violations);
        Assert.Equal(steps, sequence.StepsClosed);
        Assert.Equal(Enumerable.Range(0, steps), ledger.OfType<StepClosed>().Select(c => c.Step));
        Assert.Empty(LedgerVerifier.Verify(ledger));
        var arrived = ledger.OfType<AgentArrived>().Select(a => a.Agent).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(arrived, ledger.OfType<AgentDeparted>().Select(d => d.Agent).Order(StringComparer.Ordinal));
        var committed = ledger.OfType<TradeCommitted>().Select(t => t.Trade).ToList();
        Assert.Equal(committed.Count, committed.Distinct().Count());
    }
}

/// <summary>
/// The link of a facility on another member, alone with probes for the facility's shells and the shard region: when the
/// shell stops it asks the region to resume the facility after the steps it holds, hands over exactly those records,
/// and writes nothing more from the lost shell.
/// </summary>
public sealed class FacilityLinkTests : Akka.TestKit.Xunit2.TestKit
{
    private const string Entity = "run-1/f001";

    [Fact]
    public void Link_ShellStopsAfterTwoSteps_AsksToResumeAtStepTwoHandsOverTheirRecordsAndIgnoresTheLostShell()
    {
        var (ledger, _) = Sim.Run(Sim.AllFaults(seed: 3, agents: 5));
        var steps = StepChunks(ledger);
        var written = new MemoryLedger();
        var monitor = new RunMonitor(CancellationToken.None);
        var region = CreateTestProbe();
        var lost = CreateTestProbe();
        var link = Sys.ActorOf(FacilityLink.Props(Entity, written, monitor, region.Ref, evsWithFacility: false, ActorRefs.Nobody, CreateTestProbe().Ref));

        link.Tell(new FacilityStarted(Entity, "akka.tcp://v2v@127.0.0.1:1"), lost.Ref);
        link.Tell(new LedgerLines(Entity, 0, steps[0]), lost.Ref);
        link.Tell(new LedgerLines(Entity, 1, steps[1]), lost.Ref);
        Sys.Stop(lost.Ref);

        var resume = (ResumeFacility)region.ExpectMsg<Akka.Cluster.Sharding.ShardingEnvelope>().Message;
        Assert.Equal(new ResumeFacility(Entity, link, false, Chunks: 2, Steps: 2), resume);

        // A chunk the lost shell still sends is not written.
        link.Tell(new LedgerLines(Entity, 2, steps[2]), lost.Ref);
        var next = CreateTestProbe();
        link.Tell(new FacilityRecordsWanted(Entity, 0), next.Ref);
        var records = next.ExpectMsg<FacilityRecords>();
        Assert.Equal(0, records.From);
        Assert.Equal([.. steps[0], .. steps[1]], records.Lines);
        Assert.Equal(records.Lines.Count, records.Total);
        Assert.Equal([.. steps[0], .. steps[1]], Loopback.Lines(written));

        // The new shell goes on from chunk 2; the link answers the stall check's question through the region.
        link.Tell(new FacilityStarted(Entity, "akka.tcp://v2v@127.0.0.1:2"), next.Ref);
        link.Tell(new LedgerLines(Entity, 2, steps[2]), next.Ref);
        link.Tell(MarketCoordinatorActor.DescribeWait.Instance, TestActor);
        region.FishForMessage(m => m is Akka.Cluster.Sharding.ShardingEnvelope { Message: DescribeFacilityWait });
        Assert.Equal([.. steps[0], .. steps[1], .. steps[2]], Loopback.Lines(written));
        Assert.False(monitor.Outcome.IsCompleted);
    }

    [Fact]
    public void Link_ChunksWithDepartures_RetiresEachDepartedEvThroughTheEvRegionOnceWritten()
    {
        var (ledger, _) = Sim.Run(Sim.AllFaults(seed: 3, agents: 8));
        var steps = StepChunks(ledger);
        var evs = CreateTestProbe();
        var link = Sys.ActorOf(FacilityLink.Props(Entity, new MemoryLedger(), new RunMonitor(CancellationToken.None), CreateTestProbe().Ref, evsWithFacility: false, ActorRefs.Nobody, evs.Ref));
        link.Tell(new FacilityStarted(Entity, "akka.tcp://v2v@127.0.0.1:1"), TestActor);

        // Every EV that leaves is set aside by its facility until its departure is in the ledger here, then retired.
        var departed = steps.SelectMany(c => c).Select(l => LedgerJson.Deserialize(l, 0)).OfType<AgentDeparted>().Select(d => d.Agent).ToList();
        Assert.NotEmpty(departed);
        for (var k = 0; k < steps.Count; k++)
        {
            link.Tell(new LedgerLines(Entity, k, steps[k]), TestActor);
        }

        var retired = departed.Select(_ => evs.ExpectMsg<Akka.Cluster.Sharding.ShardingEnvelope>()).ToList();
        Assert.Equal(departed.Select(a => $"{Entity}/{a}"), retired.Select(e => e.EntityId));
        Assert.Equal(departed, retired.Select(e => Assert.IsType<V2V.Market.Protocol.RetireEv>(e.Message).Agent));
    }

    // A ledger's lines, one chunk per step as the coordinator flushes them (the header with step 0).
    private static List<IReadOnlyList<string>> StepChunks(IReadOnlyList<LedgerEntry> ledger)
    {
        var chunks = new List<IReadOnlyList<string>>();
        var chunk = new List<string>();
        foreach (var entry in ledger)
        {
            chunk.Add(LedgerJson.Serialize(entry));
            if (entry is StepClosed)
            {
                chunks.Add(chunk);
                chunk = [];
            }
        }

        return chunks;
    }
}
