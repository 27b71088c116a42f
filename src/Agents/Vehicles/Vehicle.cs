namespace V2V.Agents.Vehicles;

/// <summary>
/// An EV's identity and the facts drawn when it arrives (SPEC 1-2). Its state of charge after arrival is not
/// stored here: it is the arrival SoC plus its committed trades, which the owner of the vehicle keeps.
/// </summary>
public sealed record Vehicle(
    string Id,
    int ArrivalStep,
    int DepartureStep,
    double ArrivalSoc,
    double TargetSoc,
    double Markup)
{
    /// <summary>Steps until departure, counting the current one: the last active step has one left.</summary>
    public int StepsLeft(int step) => DepartureStep - step;

    public bool IsParkedAt(int step) => step >= ArrivalStep && step < DepartureStep;
}
