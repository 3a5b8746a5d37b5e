using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Sales;

public static class SalesPermissions
{
    /// <summary>See teams, reps, territories, companies, deals, activities and the metrics.</summary>
    public const string Read = "sales.read";

    /// <summary>Create and edit companies, deals and activities; move deals through the pipeline.</summary>
    public const string Write = "sales.write";

    /// <summary>Build the team: teams, reps, territories and the stages' default probabilities.</summary>
    public const string Manage = "sales.manage";
}

/// <summary>Enum values as the API and the database spell them (snake_case).</summary>
public static class SalesNames
{
    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => StorekeepDbContext.ToSnakeCase(value.ToString());

    public static TEnum? Parse<TEnum>(Validation v, string field, string? text, IEnumerable<TEnum>? allowed = null)
        where TEnum : struct, Enum
    {
        if (text is null)
        {
            return null;
        }

        var values = (allowed ?? Enum.GetValues<TEnum>()).ToList();
        foreach (var value in values)
        {
            if (Name(value) == text.Trim())
            {
                return value;
            }
        }

        v.Add(field, $"'{field}' must be one of {string.Join(", ", values.Select(Name))}.");
        return null;
    }

    /// <summary>The five open stages, in order.</summary>
    public static readonly IReadOnlyList<DealStage> OpenStages =
        [DealStage.Prospecting, DealStage.Qualification, DealStage.Proposal, DealStage.Negotiation, DealStage.Closing];

    public static readonly IReadOnlyDictionary<DealStage, int> DefaultProbabilities = new Dictionary<DealStage, int>
    {
        [DealStage.Prospecting] = 10,
        [DealStage.Qualification] = 20,
        [DealStage.Proposal] = 40,
        [DealStage.Negotiation] = 60,
        [DealStage.Closing] = 80,
        [DealStage.Won] = 100,
        [DealStage.Lost] = 0,
    };

    internal static Guid? ParseGuid(Validation v, string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (Guid.TryParse(text.Trim(), out var id))
        {
            return id;
        }

        v.Add(field, $"'{field}' must be an id.");
        return null;
    }

    internal static Guid ParseId(string what, string id) =>
        Guid.TryParse(id, out var parsed) ? parsed : throw Errors.NotFound(what, id.Length > 64 ? id[..64] : id);
}

// Request properties are nullable so a missing field is a validation error, not a JSON error.

public sealed record CreateTeamRequest(string? Name, Guid? ManagerId);

/// <param name="UserId">The back-office user who is the rep (or give <paramref name="Email"/>).</param>
/// <param name="Name">Defaults to the user's display name.</param>
public sealed record CreateRepRequest(Guid? UserId, string? Email, string? Name, Guid? TeamId, Guid? TerritoryId);

public sealed record CreateTerritoryRequest(
    string? Name,
    IReadOnlyList<string?>? Countries,
    IReadOnlyList<string?>? Regions,
    IReadOnlyList<string?>? Industries,
    string? Assignment,
    IReadOnlyList<Guid>? RepIds);

public sealed record CreateDealRequest(
    string? Title,
    Guid? CompanyId,
    string? ContactEmail,
    decimal? Amount,
    DateOnly? ExpectedCloseDate,
    Guid? OwnerRepId,
    string? Source);

/// <param name="Probability">0–100; from then on stage changes keep it.</param>
/// <param name="ForecastCategory">pipeline, best_case, commit or omitted (closed is set by winning).</param>
public sealed record UpdateDealRequest(
    string? Title,
    decimal? Amount,
    DateOnly? ExpectedCloseDate,
    Guid? OwnerRepId,
    int? Probability,
    string? ForecastCategory);

public sealed record ChangeStageRequest(string? Stage);

public sealed record WinDealRequest(Guid? OrderId);

public sealed record LoseDealRequest(string? Reason);

public sealed record CreateActivityRequest(string? Type, string? Subject, DateTime? DueAt, bool? Done);

public sealed record StageProbabilityRequest(string? Stage, int? Probability);

public sealed record UpdateStagesRequest(IReadOnlyList<StageProbabilityRequest?>? Stages);

public sealed record TeamView(Guid Id, string Name, Guid? ManagerId, DateTime CreatedAt);

public sealed record RepView(Guid Id, Guid UserId, string Name, string Email, Guid TeamId, Guid? TerritoryId, DateTime CreatedAt);

public sealed record TerritoryView(
    Guid Id,
    string Name,
    IReadOnlyList<string> Countries,
    IReadOnlyList<string> Regions,
    IReadOnlyList<string> Industries,
    string Assignment,
    IReadOnlyList<Guid> RepIds,
    DateTime CreatedAt);

/// <param name="Amount">In the store currency.</param>
/// <param name="Probability">0–100; <paramref name="ProbabilityManual"/> when set by hand (kept across stage changes).</param>
public sealed record DealView(
    Guid Id,
    string Title,
    Guid? CompanyId,
    string? CompanyName,
    string? ContactEmail,
    decimal Amount,
    DateOnly ExpectedCloseDate,
    Guid? OwnerRepId,
    string? Source,
    string Stage,
    int Probability,
    bool ProbabilityManual,
    string ForecastCategory,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? ClosedAt,
    string? LostReason,
    Guid? OrderId);

/// <param name="From">Null on the first row: the deal was created in <paramref name="To"/>.</param>
public sealed record StageChangeView(string? From, string To, DateTime At, string By, int Probability);

public sealed record ActivityView(
    Guid Id,
    Guid DealId,
    string DealTitle,
    Guid? RepId,
    string Type,
    string Subject,
    DateTime? DueAt,
    bool Done,
    DateTime? DoneAt,
    bool Overdue,
    string Actor,
    DateTime CreatedAt);

/// <param name="Closed">Won and lost: their probabilities are fixed (100 and 0).</param>
public sealed record StageView(string Stage, int Position, int Probability, bool Closed);

public sealed record StagesView(IReadOnlyList<StageView> Stages);

public sealed record DealListFilter(string? RepId, string? TeamId, string? Stage, int? Limit, string? Cursor);

public sealed record StageConversionView(string From, string To, decimal? Rate);

/// <param name="Commit">Open deals in the commit category.</param>
/// <param name="BestCase">Commit plus best_case.</param>
/// <param name="Pipeline">Commit plus best_case plus pipeline: every open deal not omitted.</param>
public sealed record ForecastView(decimal Commit, decimal BestCase, decimal Pipeline);

public sealed record SalesMetricsView(
    DateOnly From,
    DateOnly To,
    string Currency,
    int Won,
    int Lost,
    decimal? WinRate,
    decimal? WinRateByAmount,
    decimal WonAmount,
    decimal? AverageDealSize,
    decimal? SalesCycleDaysMedian,
    decimal? SalesCycleDaysMean,
    int OpenDeals,
    decimal PipelineAmount,
    decimal WeightedPipeline,
    decimal? PipelineVelocityPerDay,
    IReadOnlyList<StageConversionView> StageConversion,
    ForecastView Forecast);
