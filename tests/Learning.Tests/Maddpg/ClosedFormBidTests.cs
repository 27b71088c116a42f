using V2V.Clearing;
using V2V.Learning.Maddpg;
using V2V.Market.Orders;
using Xunit.Abstractions;

namespace V2V.Learning.Tests.Maddpg;

public sealed class ClosedFormBidTests(ITestOutputHelper output)
{
    // One learning seller with cost c faces one fixed buyer whose bid is b ~ U(L, H), cleared by greedy average
    // (trade iff a <= b, at (a + b) / 2). Its expected utility per kWh for an ask a in [L, H] is
    //   E[u](a) = 1/(H - L) * integral_a^H ((b + a)/2 - c) db,  dE/da = (H/2 - 3a/2 + c)/(H - L),
    // so the best ask is a* = (H + 2c) / 3, and since utility is linear in q the best quantity is the whole cap.
    // With c = 0.10, L = 0.10, H = 0.28: a* = 0.16 AUD/kWh. One run ends within about 0.025 of it (the critic's
    // fit of a noisy, kinked utility), so four seeded runs are averaged.
    [Fact]
    public void Learner_OneSellerAgainstUniformBuyer_LearnsTheClosedFormAsk()
    {
        const double c = 0.10, high = 0.28;
        double best = (high + (2 * c)) / 3;
        double sum = 0;
        foreach (var (seed, stream) in new[] { (3, 8), (4, 9), (5, 10), (6, 11) })
        {
            double ask = LearnedAsk(seed, stream, c, high);
            Assert.InRange(ask, best - 0.03, best + 0.03);
            sum += ask;
        }

        Assert.InRange(sum / 4, best - 0.012, best + 0.012);
    }

    private double LearnedAsk(int seed, int stream, double c, double high)
    {
        const double low = 0.10, fit = 0.05, grid = 0.28, cap = 1.0;
        var config = Fixtures.Small() with
        {
            ActorHidden = [16],
            CriticHidden = [32, 32],
            ActorLearningRate = 3e-3,
            CriticLearningRate = 3e-3,
            BatchSize = 64,
            WarmupTransitions = 256,
            ReplayCapacity = 4096,
            Tau = 0.05,
        };
        using var learner = new MaddpgLearner(config, seed);
        var mechanism = ClearingMechanisms.Create("greedy-average", Fixtures.Market.Clearing);
        var random = new Random(stream);
        var input = new float[CriticContext.CriticInputSize];
        input[10] = 1f; // the seller one-hot; everything else, context included, is zero.
        for (int t = 0; t < 4000; t++)
        {
            var action = learner.Act(input.AsSpan(0, 12), 1);
            // Gaussian exploration, shrinking over time.
            double sigma = 0.5 * Math.Max(0.1, 1 - (t / 3000.0));
            float x1 = (float)Math.Clamp(action[0] + (sigma * Normal(random)), -1, 1);
            float x2 = (float)Math.Clamp(action[1] + (sigma * Normal(random)), -1, 1);
            double ask = ActionMapping.Price(x1, fit, grid);
            double q = ActionMapping.Quantity(x2, cap);
            double bid = low + ((high - low) * random.NextDouble());
            var trades = mechanism.Clear(new OrderBook([new Order("b", bid, cap)], [new Order("s", ask, q)], 1e-3)).Trades;
            double reward = 0;
            foreach (var trade in trades)
            {
                reward += trade.EnergyKwh * (trade.PriceAudPerKwh - c);
            }

            input[12] = x1;
            input[13] = x2;
            // Scaled so the critic's targets are of order one; a one-step episode: done.
            learner.Replay.Add(input, (float)(reward * 20), default, done: true);
            if (learner.IsWarm)
            {
                learner.Update(random);
            }
        }

        var final = learner.Act(input.AsSpan(0, 12), 1).ToArray();
        double learnedAsk = ActionMapping.Price(final[0], fit, grid);
        output.WriteLine($"seed {seed}: learned ask {learnedAsk:F4} (closed form {(high + (2 * c)) / 3:F4}), quantity action {final[1]:F3}");
        Assert.True(final[1] > 0.8f, $"quantity action {final[1]} should approach the whole cap");
        return learnedAsk;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
