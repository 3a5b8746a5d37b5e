using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Promotions;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Experiments;

/// <summary>
/// A variant's raw counts from some source (<see cref="IExperimentTallySource"/>); the weight comes from the experiment.
/// Revenue in minor units.
/// </summary>
public sealed record VariantCount(string Key, long Visitors, long Conversions, long RevenueMinor, double RevenueMinorSumOfSquares);

/// <summary>
/// Where an experiment's per-variant counts come from. The default (<see cref="ExposureTallies"/>)
/// counts exposures and the orders of exposed visitors; a capability that runs its own variants
/// (campaigns: sends instead of exposures) registers one that <see cref="Handles"/> its kind.
/// </summary>
public interface IExperimentTallySource
{
    bool Handles(Experiment experiment);

    Task<IReadOnlyList<VariantCount>> TallyAsync(Experiment experiment, CancellationToken ct);
}

/// <summary>
/// Per variant: exposed visitors; those with at least one order placed from their exposure until the
/// experiment stopped (an order carries its visitor through <c>order_acquisitions</c>); the sum of
/// those orders' totals; and the sum of squares of each visitor's revenue. Cancelled orders do not
/// count. One SQL aggregate; no rows are loaded.
/// </summary>
public sealed class ExposureTallies(StorekeepDbContext db, TimeProvider clock)
{
    private const string Template = """
        SELECT x.variant_key AS "Key",
          CAST(COUNT(*) AS BIGINT) AS "Visitors",
          CAST(SUM(CASE WHEN x.revenue IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS "Conversions",
          CAST(COALESCE(SUM(x.revenue), 0) AS BIGINT) AS "RevenueMinor",
          CAST(COALESCE(SUM(CAST(x.revenue AS @double) * CAST(x.revenue AS @double)), 0) AS @double) AS "RevenueMinorSumOfSquares"
        FROM (
          SELECT e.variant_key,
            (SELECT SUM(o.total) FROM order_acquisitions a JOIN orders o ON o.id = a.order_id
             WHERE a.visitor_id = e.visitor_id AND o.created_at >= e.exposed_at AND o.created_at <= {1}
               AND o.status <> 'cancelled') AS revenue
          FROM experiment_exposures e
          WHERE e.experiment_id = {0}
        ) x
        GROUP BY x.variant_key
        """;

    public async Task<IReadOnlyList<VariantCount>> TallyAsync(Experiment experiment, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var until = experiment.StoppedAt ?? clock.GetUtcNow().UtcDateTime.AddDays(1);
        var sql = Template.Replace("@double", db.IsPostgres ? "DOUBLE PRECISION" : "REAL", StringComparison.Ordinal);
        return await db.Database.SqlQuery<VariantCount>(FormattableStringFactory.Create(sql, experiment.Id, until)).ToListAsync(ct);
    }
}

/// <summary>Experiments: created as drafts, started, stopped; results per variant (docs/marketing.md, "Experiments").</summary>
public sealed class ExperimentService(
    StorekeepDbContext db,
    ExposureTallies exposures,
    IEnumerable<IExperimentTallySource> sources,
    RunningExperimentsCache running,
    TimeProvider clock)
{
    public const int MaxVariants = 10;
    public const int MaxWeight = 1_000_000;
    public const int BannerMaxLength = 400;

    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => StorekeepDbContext.ToSnakeCase(value.ToString());

    private static TEnum? Parse<TEnum>(Validation v, string field, string? text)
        where TEnum : struct, Enum
    {
        var names = string.Join(", ", Enum.GetValues<TEnum>().Select(Name));
        if (text is null)
        {
            v.Add(field, $"'{field}' is required: {names}.");
            return null;
        }

        foreach (var value in Enum.GetValues<TEnum>())
        {
            if (Name(value) == text.Trim())
            {
                return value;
            }
        }

        v.Add(field, $"'{field}' must be one of {names}.");
        return null;
    }

    public async Task<ExperimentView> CreateAsync(CreateExperimentRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var v = new Validation();
        var name = v.Required("name", request.Name, Experiment.NameMaxLength);
        var kind = Parse<ExperimentKind>(v, "kind", request.Kind);
        var metric = Parse<ExperimentMetric>(v, "metric", request.Metric);
        var variants = Variants(v, request.Variants);
        var keys = variants.Select(x => x.Key).ToHashSet(StringComparer.Ordinal);

        // Campaigns are another capability's: the id is stored without a foreign key and checked below.
        if (kind == ExperimentKind.Campaign && request.CampaignId is not { } campaignId)
        {
            v.Add("campaignId", "A campaign experiment needs 'campaignId'.");
        }
        else if (kind == ExperimentKind.Campaign && request.CampaignId == Guid.Empty)
        {
            v.Add("campaignId", "'campaignId' must be a campaign's id.");
        }

        if (kind == ExperimentKind.Offer)
        {
            if (!keys.SetEquals([Experiment.ControlKey, Experiment.TreatmentKey]))
            {
                v.Add("variants", "An offer experiment has exactly two variants: 'control' and 'treatment'.");
            }

            if (request.DiscountId is not { } discountId)
            {
                v.Add("discountId", "An offer experiment needs 'discountId': an automatic discount.");
            }
            else if (!await db.Set<DiscountDefinition>().AsNoTracking().AnyAsync(d => d.Id == discountId && d.Code == null, ct))
            {
                v.Add("discountId", "'discountId' must be an existing automatic discount (one without a code).");
            }
        }

        var content = new Dictionary<string, (string? Headline, string? Banner)>(StringComparer.Ordinal);
        if (kind == ExperimentKind.Storefront)
        {
            foreach (var key in keys)
            {
                var item = request.Content?.GetValueOrDefault(key);
                var headline = v.Text($"content.{key}.headline", item?.Headline, ExperimentVariant.HeadlineMaxLength);
                var banner = v.Text($"content.{key}.banner", item?.Banner, BannerMaxLength);
                if (headline is null && banner is null)
                {
                    v.Add($"content.{key}", $"A storefront experiment needs 'content.{key}' with a headline or banner text.");
                }

                content[key] = (headline, banner);
            }

            foreach (var extra in (request.Content?.Keys ?? []).Where(k => !keys.Contains(k)))
            {
                v.Add("content", $"'content' names '{Clip(extra)}', which is no variant.");
            }
        }

        if (kind != ExperimentKind.Offer && request.DiscountId is not null)
        {
            v.Add("discountId", "Only an offer experiment takes 'discountId'.");
        }

        if (kind != ExperimentKind.Campaign && request.CampaignId is not null)
        {
            v.Add("campaignId", "Only a campaign experiment takes 'campaignId'.");
        }

        if (kind != ExperimentKind.Storefront && request.Content is not null)
        {
            v.Add("content", "Only a storefront experiment takes 'content'.");
        }

        v.ThrowIfInvalid();
        if (kind == ExperimentKind.Campaign)
        {
            var campaign = await db.Set<Campaigns.Campaign>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == request.CampaignId, ct)
                ?? throw Errors.Unprocessable("unknown_campaign", $"No campaign has the id {request.CampaignId}.");
            var campaignKeys = Campaigns.Campaigns.VariantsOf(campaign).Select(x => x.Key).ToHashSet(StringComparer.Ordinal);
            if (!campaignKeys.SetEquals(keys))
            {
                throw new RequestValidationException(new Dictionary<string, string[]>
                {
                    ["variants"] = [$"A campaign experiment has the campaign's variants: {string.Join(", ", campaignKeys.Order(StringComparer.Ordinal))}."],
                });
            }
        }

        var experiment = new Experiment
        {
            Name = name,
            Kind = kind!.Value,
            Metric = metric!.Value,
            Status = ExperimentStatus.Draft,
            CampaignId = request.CampaignId,
            DiscountId = request.DiscountId,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        experiment.Variants.AddRange(variants.Select((x, i) => new ExperimentVariant
        {
            ExperimentId = experiment.Id,
            Key = x.Key,
            Weight = x.Weight,
            Position = i,
            Headline = content.GetValueOrDefault(x.Key).Headline,
            Banner = content.GetValueOrDefault(x.Key).Banner,
        }));
        db.Add(experiment);
        await db.SaveChangesAsync(ct);
        return View(experiment);
    }

    private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static List<(string Key, int Weight)> Variants(Validation v, IReadOnlyList<ExperimentVariantRequest?>? requested)
    {
        var result = new List<(string, int)>();
        if (requested is null || requested.Count < 2)
        {
            v.Add("variants", "'variants' needs at least two variants, one of them 'control'.");
            return result;
        }

        if (requested.Count > MaxVariants)
        {
            v.Add("variants", $"'variants' takes at most {MaxVariants} variants.");
            return result;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < requested.Count; i++)
        {
            var item = requested[i];
            var key = v.Code($"variants[{i}].key", item?.Key, ExperimentVariant.KeyMaxLength);
            if (key.Length > 0 && !seen.Add(key))
            {
                v.Add($"variants[{i}].key", $"The key '{key}' is used twice.");
            }

            if (item?.Weight is not { } weight || weight <= 0 || weight > MaxWeight)
            {
                v.Add($"variants[{i}].weight", $"'weight' must be a whole number from 1 to {MaxWeight}.");
                weight = 1;
            }

            result.Add((key, weight));
        }

        if (!seen.Contains(Experiment.ControlKey))
        {
            v.Add("variants", "One variant must be named 'control': the others are compared with it.");
        }

        return result;
    }

    public async Task<Page<ExperimentView>> ListAsync(CancellationToken ct)
    {
        var experiments = await db.Set<Experiment>().AsNoTracking().Include(e => e.Variants)
            .OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id).Take(500).ToListAsync(ct);
        return new Page<ExperimentView>([.. experiments.Select(View)], null);
    }

    public async Task<ExperimentView> GetAsync(Guid id, CancellationToken ct) => View(await LoadAsync(id, tracked: false, ct));

    private async Task<Experiment> LoadAsync(Guid id, bool tracked, CancellationToken ct)
    {
        var query = db.Set<Experiment>().Include(e => e.Variants).AsQueryable();
        return await (tracked ? query : query.AsNoTracking()).FirstOrDefaultAsync(e => e.Id == id, ct)
            ?? throw Errors.NotFound("Experiment", id.ToString());
    }

    /// <summary>draft → running. Anything else is 409 experiment_not_draft.</summary>
    public async Task<ExperimentView> StartAsync(Guid id, CancellationToken ct)
    {
        var experiment = await LoadAsync(id, tracked: true, ct);
        if (experiment.Status != ExperimentStatus.Draft)
        {
            throw Errors.Conflict("experiment_not_draft", $"The experiment is {Name(experiment.Status)}: only a draft can start.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var changed = await db.Set<Experiment>().Where(e => e.Id == id && e.Status == ExperimentStatus.Draft)
            .ExecuteUpdateAsync(u => u.SetProperty(e => e.Status, ExperimentStatus.Running).SetProperty(e => e.StartedAt, now), ct);
        if (changed == 0)
        {
            throw Errors.Conflict("experiment_not_draft", "The experiment was started meanwhile: only a draft can start.");
        }

        running.Clear();

        return await GetAsync(id, ct);
    }

    /// <summary>running → stopped; orders placed after the stop no longer count. Anything else is 409 experiment_not_running.</summary>
    public async Task<ExperimentView> StopAsync(Guid id, CancellationToken ct)
    {
        var experiment = await LoadAsync(id, tracked: false, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var changed = experiment.Status != ExperimentStatus.Running ? 0
            : await db.Set<Experiment>().Where(e => e.Id == id && e.Status == ExperimentStatus.Running)
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.Status, ExperimentStatus.Stopped).SetProperty(e => e.StoppedAt, now), ct);
        if (changed == 0)
        {
            throw Errors.Conflict("experiment_not_running", $"The experiment is {Name(experiment.Status)}: only a running experiment can stop.");
        }

        running.Clear();

        return await GetAsync(id, ct);
    }

    public async Task<ExperimentResultsView> ResultsAsync(Guid id, CancellationToken ct)
    {
        var experiment = await LoadAsync(id, tracked: false, ct);
        var source = sources.FirstOrDefault(s => s.Handles(experiment));
        var counts = source is null ? await exposures.TallyAsync(experiment, ct) : await source.TallyAsync(experiment, ct);
        var currency = await StoreSettingsService.CurrencyAsync(db, ct);
        return Results(experiment, counts, currency);
    }

    /// <summary>The results of given counts (variants without any count have zero visitors). Money: minor units in, major units out.</summary>
    public static ExperimentResultsView Results(Experiment experiment, IReadOnlyList<VariantCount> counts, string currency)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(counts);
        var byKey = counts.ToDictionary(c => c.Key, StringComparer.Ordinal);
        var variants = experiment.Variants.OrderBy(x => x.Position).ToList();

        // Statistics in major units, so intervals and differences read in the currency.
        var tallies = variants.Select(x => byKey.GetValueOrDefault(x.Key) is { } c
            ? new VariantTally(x.Key, x.Weight, c.Visitors, c.Conversions, c.RevenueMinor / 100.0, c.RevenueMinorSumOfSquares / 10_000.0)
            : new VariantTally(x.Key, x.Weight, 0, 0, 0, 0)).ToList();
        var analysis = ExperimentStatistics.Analyze(tallies);
        var rows = analysis.Variants.Select((s, i) =>
        {
            var headline = experiment.Metric == ExperimentMetric.Conversion ? s.Conversion : s.RevenuePerVisitorTest;
            return new VariantResultView(
                s.Key, variants[i].Weight, s.Visitors, s.Conversions, s.ConversionRate,
                MinorUnits.FromMinor(byKey.GetValueOrDefault(s.Key)?.RevenueMinor ?? 0),
                s.Visitors == 0 ? 0 : Math.Round((decimal)(byKey.GetValueOrDefault(s.Key)?.RevenueMinor ?? 0) / s.Visitors / 100m, 4),
                headline?.Uplift, headline?.ConfidenceInterval95, headline?.PValue, headline?.ChanceToBeatControl,
                Test(s.Conversion), Test(s.RevenuePerVisitorTest));
        }).ToList();
        var srm = analysis.SampleRatioMismatch;
        return new ExperimentResultsView(experiment.Id, experiment.Name, Name(experiment.Kind), Name(experiment.Metric), Name(experiment.Status), currency,
            experiment.StartedAt, experiment.StoppedAt, rows, new SampleRatioMismatchView(srm.PValue, srm.Flagged, srm.ChiSquared, srm.DegreesOfFreedom));
    }

    private static MetricTestView? Test(MetricComparison? c) =>
        c is null ? null : new MetricTestView(c.Difference, c.Uplift, c.ConfidenceInterval95, c.PValue, c.ChanceToBeatControl);

    public static ExperimentView View(Experiment e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new(e.Id, e.Name, Name(e.Kind), Name(e.Metric), Name(e.Status), e.CampaignId, e.DiscountId,
            [.. e.Variants.OrderBy(x => x.Position).Select(x => new ExperimentVariantView(x.Key, x.Weight, x.Headline, x.Banner))],
            e.CreatedAt, e.StartedAt, e.StoppedAt);
    }
}
