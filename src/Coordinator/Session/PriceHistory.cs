namespace V2V.Coordinator.Session;

/// <summary>
/// SPEC 7's price inputs: the last step's quantity-weighted clearing price and the mean over a recent window of
/// steps. Before any trade, both are the midpoint of [FiT, p_grid] (our choice: the observation needs a price
/// before the market has made one). Steps without trades leave the history unchanged.
/// </summary>
public sealed class PriceHistory(double initialPriceAudPerKwh, int windowSteps)
{
    private readonly Queue<double> window = new();
    private double energy;
    private double value;

    public double LastAudPerKwh { get; private set; } = initialPriceAudPerKwh;

    public double RecentAudPerKwh
    {
        get
        {
            if (window.Count == 0)
            {
                return LastAudPerKwh;
            }

            var sum = 0.0;
            foreach (var p in window)
            {
                sum += p;
            }

            return sum / window.Count;
        }
    }

    public void AddFill(double priceAudPerKwh, double energyKwh)
    {
        energy += energyKwh;
        value += priceAudPerKwh * energyKwh;
    }

    public void CloseStep()
    {
        if (energy > 0)
        {
            LastAudPerKwh = value / energy;
            window.Enqueue(LastAudPerKwh);
            while (window.Count > windowSteps)
            {
                window.Dequeue();
            }
        }

        energy = 0;
        value = 0;
    }
}
