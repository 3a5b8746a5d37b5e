using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Loyalty;

/// <summary>
/// The loyalty program's settings (<c>GET|PUT /loyalty/program</c>). Until it is first saved the
/// program is off, with 1 point per unit worth 0.01.
/// </summary>
public sealed class LoyaltyPrograms(StorekeepDbContext db, TimeProvider clock)
{
    public const int MaxTiers = 10;
    public const int MaxPointsPerUnit = 1000;
    public const int MaxExpiryDays = 3650;
    public const decimal MaxMultiplier = 10m;
    public const int TierNameMaxLength = 50;

    // Read once per unit of work (this class is scoped): a subscriber's batch earns for every paid
    // order in it, and a checkout asks twice. A save through PutAsync replaces it.
    private LoyaltyProgram? _loaded;

    public async Task<LoyaltyProgramView> GetAsync(CancellationToken ct) => ToView(await LoadAsync(ct));

    /// <summary>The program as stored, or the default (off) when it was never saved.</summary>
    public async Task<LoyaltyProgram> LoadAsync(CancellationToken ct) =>
        _loaded ??= await db.Set<LoyaltyProgram>().AsNoTracking().SingleOrDefaultAsync(ct)
            ?? new LoyaltyProgram { PointsPerUnit = 1, PointValue = 0.01m };

    public async Task<LoyaltyProgramView> PutAsync(LoyaltyProgramRequest request, CancellationToken ct)
    {
        var v = new Validation();
        if (request.Enabled is null)
        {
            v.Add("enabled", "'enabled' is required.");
        }

        var pointsPerUnit = v.Quantity("pointsPerUnit", request.PointsPerUnit, allowZero: true);
        if (pointsPerUnit > MaxPointsPerUnit)
        {
            v.Add("pointsPerUnit", $"'pointsPerUnit' must be at most {MaxPointsPerUnit}.");
        }

        var pointValue = v.Money("pointValue", request.PointValue, allowZero: false);
        var minimumRedeem = v.Quantity("minimumRedeemPoints", request.MinimumRedeemPoints, allowZero: true);
        if (request.ExpiryDays is { } days && (days < 1 || days > MaxExpiryDays))
        {
            v.Add("expiryDays", $"'expiryDays' must be between 1 and {MaxExpiryDays}, or null for points that never expire.");
        }

        var tiers = new List<LoyaltyTierView>();
        var requested = request.Tiers ?? [];
        if (requested.Count > MaxTiers)
        {
            v.Add("tiers", $"At most {MaxTiers} tiers.");
        }

        for (var i = 0; i < requested.Count && i < MaxTiers; i++)
        {
            var tier = requested[i];
            if (tier is null)
            {
                v.Add($"tiers[{i}]", "A tier is required.");
                continue;
            }

            var name = v.Required($"tiers[{i}].name", tier.Name, TierNameMaxLength);
            var minimum = v.Money($"tiers[{i}].minimumSpend12Months", tier.MinimumSpend12Months);
            var multiplier = tier.Multiplier ?? 0m;
            if (tier.Multiplier is null || multiplier < 1m || multiplier > MaxMultiplier || decimal.Round(multiplier, 2) != multiplier)
            {
                v.Add($"tiers[{i}].multiplier", $"'multiplier' must be between 1 and {MaxMultiplier:0}, with at most two decimals.");
            }

            if (tiers.Any(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                v.Add($"tiers[{i}].name", "Tier names must be unique.");
            }

            if (tiers.Any(t => t.MinimumSpend12Months == minimum))
            {
                v.Add($"tiers[{i}].minimumSpend12Months", "Two tiers cannot start at the same spend.");
            }

            tiers.Add(new LoyaltyTierView(name, minimum, multiplier));
        }

        v.ThrowIfInvalid();

        var now = clock.GetUtcNow().UtcDateTime;
        var program = await db.Set<LoyaltyProgram>().SingleOrDefaultAsync(ct);
        if (program is null)
        {
            program = new LoyaltyProgram();
            db.Add(program);
        }

        program.Enabled = request.Enabled!.Value;
        program.PointsPerUnit = pointsPerUnit;
        program.PointValue = pointValue;
        program.MinimumRedeemPoints = minimumRedeem;
        program.ExpiryDays = request.ExpiryDays;
        program.Tiers = JsonSerializer.Serialize(tiers.OrderBy(t => t.MinimumSpend12Months).ToList(), StorekeepJson.Options);
        program.UpdatedAt = now;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (Transactions.IsUniqueViolation(e))
        {
            // Two first saves raced: the other one won; this one applies over it.
            db.ChangeTracker.Clear();
            return await PutAsync(request, ct);
        }

        _loaded = program;
        return ToView(program);
    }

    public static IReadOnlyList<LoyaltyTierView> TiersOf(LoyaltyProgram program) =>
        JsonSerializer.Deserialize<List<LoyaltyTierView>>(program.Tiers, StorekeepJson.Options) ?? [];

    /// <summary>The highest tier whose minimum the spend reaches; null when none does.</summary>
    public static LoyaltyTierView? TierFor(LoyaltyProgram program, decimal spend12Months) =>
        TiersOf(program).Where(t => t.MinimumSpend12Months <= spend12Months).MaxBy(t => t.MinimumSpend12Months);

    private static LoyaltyProgramView ToView(LoyaltyProgram p) =>
        new(p.Enabled, p.PointsPerUnit, p.PointValue, p.MinimumRedeemPoints, p.ExpiryDays, TiersOf(p), p.UpdatedAt == default ? null : p.UpdatedAt);
}
