namespace V2V.Coordinator.Ledger;

/// <summary>
/// Re-checks a finished run's ledger (DESIGN step 5 and "Faults"): every cleared trade committed or voided exactly
/// once; each trade between a buyer and a seller that were parked and had orders on those sides that step, within
/// their quantities and at a price inside [ask, bid]; no commit after a party left; and every EV that reported its
/// final state reports exactly its arrival SoC and zero cash plus its committed trades (energy and money conserved,
/// nothing applied twice, nothing lost). Read from a file, each violation starts with the line it was found at.
/// </summary>
public static class LedgerVerifier
{
    private const double Tolerance = 1e-9;

    /// <summary>Checks an in-memory ledger; violations name the step.</summary>
    public static IReadOnlyList<string> Verify(IEnumerable<LedgerEntry> entries) =>
        Verify(entries.Select(e => new NumberedEntry(0, e)));

    /// <summary>Checks entries read from ledger.jsonl; violations name the line and the step.</summary>
    public static IReadOnlyList<string> Verify(IEnumerable<NumberedEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var v = new List<string>();
        RunStarted? run = null;
        var arrivals = new Dictionary<string, AgentArrived>(StringComparer.Ordinal);
        var departed = new HashSet<string>(StringComparer.Ordinal);
        var orders = new Dictionary<(int, string), OrderAccepted>();
        var trades = new Dictionary<long, TradeCleared>();
        var clearedAt = new Dictionary<long, int>();
        var settled = new Dictionary<long, string>();
        var filled = new Dictionary<(int, string), double>();
        var soc = new Dictionary<string, double>(StringComparer.Ordinal);
        var cash = new Dictionary<string, double>(StringComparer.Ordinal);

        foreach (var (line, entry) in entries)
        {
            var at = At(line, entry.Step);
            switch (entry)
            {
                case RunStarted r:
                    run ??= r;
                    break;
                case AgentArrived a:
                    if (!arrivals.TryAdd(a.Agent, a))
                    {
                        v.Add($"{at}: {a.Agent} arrived twice");
                    }

                    soc[a.Agent] = a.Soc;
                    cash[a.Agent] = 0;
                    break;
                case OrderAccepted o:
                    if (!arrivals.ContainsKey(o.Agent) || departed.Contains(o.Agent))
                    {
                        v.Add($"{at}: order from {o.Agent}, which is not parked");
                    }

                    if (!orders.TryAdd((o.Step, o.Agent), o))
                    {
                        v.Add($"{at}: two orders in the book from {o.Agent}");
                    }

                    break;
                case TradeCleared t:
                    clearedAt.TryAdd(t.Trade, line);
                    CheckTrade(at, t, orders, departed, filled, trades, v);
                    break;
                case TradeCommitted c:
                    if (Settle(at, c.Trade, "committed", trades, settled, v) is { } trade)
                    {
                        if (departed.Contains(trade.Buyer) || departed.Contains(trade.Seller))
                        {
                            v.Add($"{at}: trade {c.Trade} committed after a party had left");
                        }

                        var battery = run?.BatteryKwh ?? double.NaN;
                        var eta = run?.Efficiency ?? double.NaN;
                        soc[trade.Buyer] = soc.GetValueOrDefault(trade.Buyer) + (eta * trade.Quantity / battery);
                        soc[trade.Seller] = soc.GetValueOrDefault(trade.Seller) - (trade.Quantity / battery);
                        cash[trade.Buyer] = cash.GetValueOrDefault(trade.Buyer) - (trade.Price * trade.Quantity);
                        cash[trade.Seller] = cash.GetValueOrDefault(trade.Seller) + (trade.Price * trade.Quantity);
                    }

                    break;
                case TradeVoided x:
                    Settle(at, x.Trade, "voided", trades, settled, v);
                    break;
                case AgentDeparted d:
                    if (!arrivals.ContainsKey(d.Agent))
                    {
                        v.Add($"{at}: {d.Agent} departed without arriving");
                    }
                    else if (!departed.Add(d.Agent))
                    {
                        v.Add($"{at}: {d.Agent} departed twice");
                    }

                    if (d.Reported)
                    {
                        CheckBalance(at, d, soc, cash, v);
                    }

                    break;
            }
        }

        if (run is null)
        {
            v.Add("ledger: no run entry");
        }

        foreach (var (id, t) in trades)
        {
            if (!settled.ContainsKey(id))
            {
                v.Add($"{At(clearedAt.GetValueOrDefault(id), t.Step)}: trade {id} neither committed nor voided");
            }
        }

        return v;
    }

    private static string At(int line, int step) => line > 0 ? $"line {line}: step {step}" : $"step {step}";

    private static void CheckTrade(
        string at,
        TradeCleared t,
        Dictionary<(int, string), OrderAccepted> orders,
        HashSet<string> departed,
        Dictionary<(int, string), double> filled,
        Dictionary<long, TradeCleared> trades,
        List<string> v)
    {
        if (!trades.TryAdd(t.Trade, t))
        {
            v.Add($"{at}: trade id {t.Trade} cleared twice");
            return;
        }

        if (!(t.Quantity > 0) || !double.IsFinite(t.Price))
        {
            v.Add($"{at}: trade {t.Trade} has quantity {t.Quantity} and price {t.Price}");
        }

        if (departed.Contains(t.Buyer) || departed.Contains(t.Seller))
        {
            v.Add($"{at}: trade {t.Trade} cleared with a party that had already left");
        }

        if (!orders.TryGetValue((t.Step, t.Buyer), out var bid) || bid.Side != "buyer")
        {
            v.Add($"{at}: trade {t.Trade}: {t.Buyer} has no bid this step");
            return;
        }

        if (!orders.TryGetValue((t.Step, t.Seller), out var ask) || ask.Side != "seller")
        {
            v.Add($"{at}: trade {t.Trade}: {t.Seller} has no ask this step");
            return;
        }

        if (t.Price > bid.Price + Tolerance || t.Price < ask.Price - Tolerance)
        {
            v.Add($"{at}: trade {t.Trade} at {t.Price} outside [ask {ask.Price}, bid {bid.Price}]");
        }

        foreach (var (agent, order) in new[] { (t.Buyer, bid), (t.Seller, ask) })
        {
            var total = filled.GetValueOrDefault((t.Step, agent)) + t.Quantity;
            filled[(t.Step, agent)] = total;
            if (total > order.Quantity + Tolerance)
            {
                v.Add($"{at}: {agent} cleared {total} kWh, more than its order of {order.Quantity}");
            }
        }
    }

    private static TradeCleared? Settle(
        string at, long id, string how, Dictionary<long, TradeCleared> trades, Dictionary<long, string> settled, List<string> v)
    {
        if (!trades.TryGetValue(id, out var trade))
        {
            v.Add($"{at}: trade {id} {how} but never cleared");
            return null;
        }

        if (settled.TryGetValue(id, out var before))
        {
            v.Add($"{at}: trade {id} {how} after it was already {before}");
            return null;
        }

        settled[id] = how;
        return trade;
    }

    private static void CheckBalance(string at, AgentDeparted d, Dictionary<string, double> soc, Dictionary<string, double> cash, List<string> v)
    {
        var expectedSoc = soc.GetValueOrDefault(d.Agent);
        var expectedCash = cash.GetValueOrDefault(d.Agent);
        if (d.Soc is not { } reportedSoc || Math.Abs(reportedSoc - expectedSoc) > Tolerance)
        {
            v.Add($"{at}: {d.Agent} left with SoC {d.Soc}, ledger says {expectedSoc}");
        }

        if (d.CashAud is not { } reportedCash || Math.Abs(reportedCash - expectedCash) > Tolerance)
        {
            v.Add($"{at}: {d.Agent} left with cash {d.CashAud}, ledger says {expectedCash}");
        }
    }
}
