namespace V2V.Market.Vehicles;

/// <summary>
/// The 12-value local observation of SPEC 7, in this order: SoC, target, target - SoC, need-or-surplus / battery,
/// urgency, steps_left / stay-max, last clearing price / p_grid, mean clearing price of the recent window / p_grid,
/// role one-hot (neutral, buyer, seller), step-of-day / steps-per-day.
/// </summary>
public readonly record struct Observation(
    double StateOfCharge,
    double TargetSoc,
    double SocGap,
    double NeedOrSurplusFraction,
    double Urgency,
    double StepsLeftFraction,
    double LastPriceFraction,
    double RecentPriceFraction,
    Role Role,
    double StepOfDayFraction)
{
    public const int Size = 12;

    /// <summary>Writes the observation as the network's input vector.</summary>
    public void WriteTo(Span<float> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"need {Size} values, got {destination.Length}", nameof(destination));
        }

        destination[0] = (float)StateOfCharge;
        destination[1] = (float)TargetSoc;
        destination[2] = (float)SocGap;
        destination[3] = (float)NeedOrSurplusFraction;
        destination[4] = (float)Urgency;
        destination[5] = (float)StepsLeftFraction;
        destination[6] = (float)LastPriceFraction;
        destination[7] = (float)RecentPriceFraction;
        destination[8] = Role == Role.Neutral ? 1f : 0f;
        destination[9] = Role == Role.Buyer ? 1f : 0f;
        destination[10] = Role == Role.Seller ? 1f : 0f;
        destination[11] = (float)StepOfDayFraction;
    }
}
