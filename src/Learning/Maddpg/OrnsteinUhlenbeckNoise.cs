namespace V2V.Learning.Maddpg;

/// <summary>
/// SPEC 7: Ornstein-Uhlenbeck exploration noise per agent and action dimension, dt = 1 step:
/// x += theta (0 - x) + sigma N(0, 1). Sigma is set per episode by <see cref="SigmaAt"/> (linear decay, our default).
/// </summary>
public sealed class OrnsteinUhlenbeckNoise(double theta, int dimensions)
{
    private readonly Dictionary<string, double[]> state = new(StringComparer.Ordinal);

    public double Sigma { get; set; }

    /// <summary>sigma_start + (sigma_end - sigma_start) episode / (episodes - 1).</summary>
    public static double SigmaAt(int episode, int episodes, double start, double end) =>
        episodes <= 1 ? end : start + ((end - start) * Math.Min(1.0, episode / (double)(episodes - 1)));

    /// <summary>Forgets every agent's process (a new episode).</summary>
    public void Reset() => this.state.Clear();

    /// <summary>Advances agent <paramref name="agentId"/>'s process one step and writes it into <paramref name="noise"/>.</summary>
    public void Sample(string agentId, Random random, Span<float> noise)
    {
        if (!this.state.TryGetValue(agentId, out var x))
        {
            x = new double[dimensions];
            this.state[agentId] = x;
        }

        for (int d = 0; d < dimensions; d++)
        {
            x[d] += (-theta * x[d]) + (Sigma * Gaussian(random));
            noise[d] = (float)x[d];
        }
    }

    // Box-Muller: one normal from two uniforms (the second is discarded so the stream stays simple).
    private static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
