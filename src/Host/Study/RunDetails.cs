using System.Globalization;
using V2V.Coordinator.Ledger;

namespace V2V.Host.Study;

/// <summary>
/// What the charts need of one run beyond its summary: the price and quantity of every committed trade (from the
/// ledger: a <c>trade</c> line followed by its <c>commit</c>) and the utility of every EV that was ever active
/// (agents.csv <c>utility_aud</c> of the rows with <c>steps_active</c> &gt; 0, the population of SPEC 8's Jain and
/// Gini indices).
/// </summary>
internal sealed record RunDetails(IReadOnlyList<double> TradePricesAudPerKwh, IReadOnlyList<double> TradeQuantitiesKwh, IReadOnlyList<double> ActiveUtilitiesAud)
{
    public const string AgentsFile = "agents.csv";

    public static RunDetails Read(string dir)
    {
        var cleared = new Dictionary<long, TradeCleared>();
        var prices = new List<double>();
        var quantities = new List<double>();
        foreach (var entry in LedgerJson.ReadFile(Path.Combine(dir, V2V.Host.Run.RunFolder.Ledger)))
        {
            switch (entry)
            {
                case TradeCleared t:
                    cleared[t.Trade] = t;
                    break;
                case TradeCommitted c when cleared.Remove(c.Trade, out var t):
                    prices.Add(t.Price);
                    quantities.Add(t.Quantity);
                    break;
            }
        }

        return new RunDetails(prices, quantities, ActiveUtilities(Path.Combine(dir, AgentsFile)));
    }

    /// <summary>utility_aud of every agents.csv row with steps_active &gt; 0.</summary>
    public static IReadOnlyList<double> ActiveUtilities(string agentsCsv)
    {
        using var lines = File.ReadLines(agentsCsv).GetEnumerator();
        if (!lines.MoveNext())
        {
            throw new InvalidDataException($"{agentsCsv}: empty (no header)");
        }

        var header = lines.Current.Split(',');
        int utility = Column(header, "utility_aud", agentsCsv);
        int active = Column(header, "steps_active", agentsCsv);
        var result = new List<double>();
        while (lines.MoveNext())
        {
            var cells = lines.Current.Split(',');
            if (int.Parse(cells[active], CultureInfo.InvariantCulture) > 0)
            {
                result.Add(double.Parse(cells[utility], CultureInfo.InvariantCulture));
            }
        }

        return result;
    }

    private static int Column(string[] header, string name, string file)
    {
        int i = Array.IndexOf(header, name);
        return i >= 0 ? i : throw new InvalidDataException($"{file}: no column {name}");
    }
}
