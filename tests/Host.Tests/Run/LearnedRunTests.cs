using System.Security.Cryptography;
using System.Text.Json;
using V2V.Agents.Vehicles;
using V2V.Coordinator.Ledger;
using V2V.Coordinator.Session;
using V2V.Host.Configuration;
using V2V.Host.Tests.Verify;
using V2V.Learning;
using V2V.Market.Orders;
using V2V.Market.Vehicles;

namespace V2V.Host.Tests.Run;

/// <summary>`v2v run --policy learned --model DIR` end to end, on a tiny model trained in the fixture.</summary>
public sealed class LearnedRunTests(TrainedModelFixture model) : IClassFixture<TrainedModelFixture>, IDisposable
{
    private static readonly string[] Small = ["--agents", "10", "--days", "1", "--quiet"];
    private readonly string runs = Directory.CreateTempSubdirectory("v2v-learned-runs-").FullName;

    public void Dispose() => Directory.Delete(this.runs, recursive: true);

    [Fact]
    public void RunLearned_TinyTrainedModel_WritesAFolderThatVerifiesAndNamesTheModel()
    {
        Assert.True(model.Updates > 0, "the fixture's model should have been trained past its warm-up");
        var dir = Path.Combine(this.runs, "run");

        var (code, output, error) = V2vCli.Run(["run", .. Small, "--mechanism", "greedy-average", "--seed", "2", "--policy", "learned", "--model", model.ModelDir, "--out", dir]);

        Assert.True(code == 0, error);
        Assert.Contains($"run folder: {dir}", output, StringComparison.Ordinal);
        Assert.Contains($"model:      {model.ModelFile}", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir, "complete.json")), "the run wrote no complete.json");
        Assert.Equal(0, V2vCli.Run("verify", dir).Code);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")));
        var m = summary.RootElement.GetProperty("model");
        Assert.Equal(model.ModelFile, m.GetProperty("file").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(model.ModelFile))), m.GetProperty("sha256").GetString());
        Assert.Equal(PolicyModel.PublishedVersion, m.GetProperty("policyVersion").GetInt64());
        Assert.Equal("learning-only", m.GetProperty("training").GetProperty("method").GetString());
        Assert.Equal($"{TrainedModelFixture.Episodes}", m.GetProperty("training").GetProperty("next-episode").GetString());
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "config.json")));
        var policy = config.RootElement.GetProperty("v2v").GetProperty("policy");
        Assert.Equal("learned", policy.GetProperty("kind").GetString());
        Assert.Equal(model.ModelDir, policy.GetProperty("model").GetString());
        var ledger = LedgerJson.ReadFile(Path.Combine(dir, "ledger.jsonl")).ToList();
        Assert.Equal("learned", ledger.OfType<RunStarted>().Single().Policy);
        Assert.NotEmpty(ledger.OfType<OrderAccepted>());
    }

    [Fact]
    public void RunLearned_SameSeedTwice_ByteIdenticalLedger()
    {
        string[] args = [.. Small, "--seed", "4", "--policy", "learned", "--model", model.ModelDir];
        var first = Path.Combine(this.runs, "first");
        var second = Path.Combine(this.runs, "second");

        Assert.Equal(0, V2vCli.Run(["run", .. args, "--out", first]).Code);
        Assert.Equal(0, V2vCli.Run(["run", .. args, "--out", second]).Code);

        Assert.Equal(File.ReadAllBytes(Path.Combine(first, "ledger.jsonl")), File.ReadAllBytes(Path.Combine(second, "ledger.jsonl")));
    }

    [Fact]
    public void RunLearned_LatencyAndEveryFault_RestartedEvsBidWithTheSamePolicyAndTheFolderVerifies()
    {
        var dir = Path.Combine(this.runs, "faults");
        string[] faults =
        [
            "v2v.simulation.latency.model=lognormal", "v2v.simulation.latency.lognormal-median=2m", "v2v.simulation.faults.crash=0.1",
            "v2v.simulation.faults.dropout=0.03", "v2v.simulation.faults.silent=0.05", "v2v.simulation.faults.message-drop=0.05",
            "v2v.simulation.faults.message-duplicate=0.05", "v2v.simulation.faults.message-delay=0.05",
        ];

        var (code, _, error) = V2vCli.Run(["run", "--agents", "12", "--days", "2", "--quiet", "--seed", "3", "--policy", "learned", "--model", model.ModelDir, .. faults.SelectMany(f => new[] { "--set", f }), "--out", dir]);

        Assert.True(code == 0, error);
        Assert.Contains(LedgerJson.ReadFile(Path.Combine(dir, "ledger.jsonl")), e => e is FaultInjected { Fault: "crash" });
        Assert.True(File.Exists(Path.Combine(dir, "complete.json")), "the run wrote no complete.json");
        Assert.Equal(0, V2vCli.Run("verify", dir).Code);
    }

    [Fact]
    public void RunLearned_ConfigKeysInsteadOfOptions_SameLedgerAsTheOptions()
    {
        var options = Path.Combine(this.runs, "options");
        var keys = Path.Combine(this.runs, "keys");
        string[] common = [.. Small, "--mechanism", "greedy-average", "--seed", "6"];

        Assert.Equal(0, V2vCli.Run(["run", .. common, "--policy", "learned", "--model", model.ModelDir, "--out", options]).Code);
        var config = Path.Combine(this.runs, "learned.conf");
        File.WriteAllText(config, $"v2v.policy {{ kind = learned, model = {JsonSerializer.Serialize(model.ModelFile)} }}\n");
        Assert.Equal(0, V2vCli.Run(["run", .. common, "--config", config, "--out", keys]).Code);

        Assert.Equal(File.ReadAllBytes(Path.Combine(options, "ledger.jsonl")), File.ReadAllBytes(Path.Combine(keys, "ledger.jsonl")));
    }

    /// <summary>
    /// The independent check: every order in the ledger is what <see cref="LearnedPolicy"/> (loaded from the model
    /// file, no actors, no policy versions) bids on the observation rebuilt from the ledger alone (arrival facts,
    /// committed trades, SPEC 2's vehicle maths and SPEC 7's observation).
    /// </summary>
    [Fact]
    public void RunLearned_LedgerOrders_EqualLearnedPolicyOnObservationsRebuiltFromTheLedger()
    {
        var dir = Path.Combine(this.runs, "bids");
        string[] sets = ["v2v.population.agents=12", "v2v.time.days=2", "v2v.seed=8"];
        Assert.Equal(0, V2vCli.Run(["run", "--quiet", "--set", sets[0], "--set", sets[1], "--set", sets[2], "--policy", "learned", "--model", model.ModelDir, "--out", dir]).Code);
        var market = MarketConfigBinder.Bind(ConfigLoader.Load(null, sets));
        var vehicles = VehicleModels.From(market);
        var learned = LearnedPolicy.Load(model.ModelDir);
        var prices = new PriceHistory((market.Tariff.FeedInTariffAudPerKwh + market.Tariff.GridPriceAudPerKwh) / 2, market.Metrics.RecentPriceWindowSteps);
        var arrived = new Dictionary<string, AgentArrived>();
        var soc = new Dictionary<string, double>();
        var cleared = new Dictionary<long, TradeCleared>();
        int checkedOrders = 0;
        var sides = new HashSet<string>();

        foreach (var entry in LedgerJson.ReadFile(Path.Combine(dir, "ledger.jsonl")))
        {
            switch (entry)
            {
                case AgentArrived a:
                    arrived[a.Agent] = a;
                    soc[a.Agent] = a.Soc;
                    break;
                case TradeCleared t:
                    cleared[t.Trade] = t;
                    break;
                case TradeCommitted c:
                    var trade = cleared[c.Trade];
                    soc[trade.Buyer] += market.Vehicle.Efficiency * trade.Quantity / market.Vehicle.BatteryKwh;
                    soc[trade.Seller] -= trade.Quantity / market.Vehicle.BatteryKwh;
                    prices.AddFill(trade.Price, trade.Quantity);
                    break;
                case StepClosed:
                    prices.CloseStep();
                    break;
                case OrderAccepted o:
                    var (context, cap) = Rebuild(market, vehicles, arrived[o.Agent], soc[o.Agent], o.Step, prices);
                    var quote = learned.Decide(context);
                    Assert.Equal(context.Side == Side.Buyer ? "Buyer" : "Seller", o.Side, ignoreCase: true);
                    Assert.Equal(context.TrueValueAudPerKwh, o.TrueValue, 12);
                    Assert.Equal(quote.PriceAudPerKwh, o.Price, 12);
                    Assert.Equal(Math.Clamp(quote.EnergyKwh, 0, cap), o.Quantity, 12);
                    sides.Add(o.Side);
                    checkedOrders++;
                    break;
            }
        }

        Assert.True(checkedOrders >= 50, $"only {checkedOrders} orders checked");
        Assert.Equal(2, sides.Count);
    }

    [Theory]
    [InlineData("learned-without-model", "--model: --policy learned needs a trained model")]
    [InlineData("model-without-learned", "--model: only read by --policy learned; the policy is 'truthful'")]
    [InlineData("model-with-markup", "--model: only read by --policy learned; the policy is 'markup'")]
    [InlineData("missing-dir", "no such folder or file")]
    [InlineData("dir-without-model", "model.v2vnn': cannot be read")]
    [InlineData("corrupt", "checksum mismatch")]
    [InlineData("truncated", "truncated")]
    [InlineData("not-a-model", "bad magic")]
    [InlineData("other-shape", "its actor maps 10 observations to 3 actions; SPEC 7's maps 12 to 2")]
    [InlineData("config-learned-without-model", "v2v.policy.model: v2v.policy.kind is 'learned', which needs a trained model")]
    [InlineData("config-model-with-truthful", "v2v.policy.model: is set, but v2v.policy.kind is 'truthful'")]
    public void RunLearned_BadInput_ExitsTwoWithItsMessageAndWritesNoFolder(string scenario, string message)
    {
        var dir = Path.Combine(this.runs, scenario);
        string[] args = scenario switch
        {
            "learned-without-model" => ["--policy", "learned"],
            "model-without-learned" => ["--model", model.ModelDir],
            "model-with-markup" => ["--policy", "markup", "--model", model.ModelDir],
            "missing-dir" => ["--policy", "learned", "--model", Path.Combine(model.Root, "no-such-training")],
            "dir-without-model" => ["--policy", "learned", "--model", model.EmptyDir],
            "corrupt" => ["--policy", "learned", "--model", model.CorruptFile],
            "truncated" => ["--policy", "learned", "--model", model.TruncatedFile],
            "not-a-model" => ["--policy", "learned", "--model", model.NotAModelFile],
            "other-shape" => ["--policy", "learned", "--model", model.OtherShapeFile],
            "config-learned-without-model" => ["--set", "v2v.policy.kind=learned"],
            "config-model-with-truthful" => ["--set", $"v2v.policy.model={JsonSerializer.Serialize(model.ModelDir)}"],
            _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
        };

        var (code, _, error) = V2vCli.Run(["run", .. Small, .. args, "--out", dir]);

        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir), "no run folder may be written");
    }

    [Fact]
    public void Run_Help_ExplainsTheLearnedPolicy()
    {
        var (code, output, _) = V2vCli.Run("run", "--help");

        Assert.Equal(0, code);
        Assert.Contains("--model DIR", output, StringComparison.Ordinal);
        Assert.Contains("truthful | markup | learned", output, StringComparison.Ordinal);
        Assert.Contains("SHA-256", output, StringComparison.Ordinal);
    }

    private static (BiddingContext Context, double CapKwh) Rebuild(
        V2V.Market.Configuration.MarketConfig market, VehicleModel vehicles, AgentArrived arrival, double soc, int step, PriceHistory prices)
    {
        int stepOfDay = step % market.Time.StepsPerDay;
        int stepsLeft = arrival.DepartureStep - step;
        double grid = market.Tariff.GridPriceAt(stepOfDay);
        var s = vehicles.Evaluate(soc, arrival.TargetSoc, stepsLeft, stepOfDay);
        Assert.NotEqual(Role.Neutral, s.Role);

        // SPEC 7's 12 values, written out here rather than taken from the EV's own code.
        var observation = new Observation(
            soc,
            arrival.TargetSoc,
            arrival.TargetSoc - soc,
            s.NeedOrSurplusKwh / market.Vehicle.BatteryKwh,
            s.Urgency,
            stepsLeft / (double)market.Population.StayMaxSteps,
            prices.LastAudPerKwh / grid,
            prices.RecentAudPerKwh / grid,
            s.Role,
            stepOfDay / (double)market.Time.StepsPerDay);
        var side = s.Role == Role.Buyer ? Side.Buyer : Side.Seller;
        return (new BiddingContext(side, s.TrueValueAudPerKwh, s.CapKwh, observation, market.Tariff.FeedInTariffAudPerKwh, grid), s.CapKwh);
    }
}
