namespace Storekeep.Shared;

/// <summary>
/// Money is <c>decimal</c> in code and whole minor units (cents) in the database, because SQLite
/// cannot sum or sort EF decimals in SQL. Conversions are exact or they throw.
/// </summary>
public static class MinorUnits
{
    public static long ToMinor(decimal amount)
    {
        var scaled = amount * 100m;
        if (decimal.Truncate(scaled) != scaled)
        {
            throw new InvalidOperationException($"Amount {amount} has more than two decimal places.");
        }

        return decimal.ToInt64(scaled);
    }

    public static decimal FromMinor(long minor) => minor / 100m;

    /// <summary>Banker's rounding is not used for money: half away from zero, the rule written in docs/checkout.md.</summary>
    public static decimal Round(decimal amount) => decimal.Round(amount, 2, MidpointRounding.AwayFromZero);
}
