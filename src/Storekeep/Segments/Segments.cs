using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Storekeep.Customers;
using Storekeep.Data;
using Storekeep.Loyalty;
using Storekeep.Shared;

namespace Storekeep.Segments;

/// <summary>Saved segments and their live members (docs/crm.md, "Segments").</summary>
public sealed class Segments(StorekeepDbContext db, CustomerFigures figures, LoyaltyPrograms loyalty, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<SegmentView> CreateAsync(SegmentRequest request, CancellationToken ct)
    {
        var (name, match, rules) = Validate(request);
        var now = clock.GetUtcNow().UtcDateTime;
        if (await db.Set<Segment>().AnyAsync(s => s.Name == name, ct))
        {
            throw Errors.Conflict("segment_exists", $"A segment named {name} already exists.");
        }

        var segment = new Segment { Name = name, Match = match, Rules = JsonSerializer.Serialize(rules, Json), CreatedAt = now, UpdatedAt = now };
        db.Set<Segment>().Add(segment);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            throw Errors.Conflict("segment_exists", $"A segment named {name} already exists.");
        }

        return await ViewAsync(segment, ct);
    }

    /// <summary>Counts a draft's members without saving it (the back office's live count).</summary>
    public async Task<int> PreviewCountAsync(SegmentRequest request, CancellationToken ct)
    {
        var (_, match, rules) = Validate(request);
        return await (await MembersAsync(match, Parsed(rules), ct)).CountAsync(ct);
    }

    public async Task<SegmentView> GetAsync(Guid id, CancellationToken ct) => await ViewAsync(await FindAsync(id, ct), ct);

    /// <summary>Every segment's id and name, by name, without counting members: for pickers (discounts, campaigns).</summary>
    public async Task<IReadOnlyList<(Guid Id, string Name)>> NamesAsync(CancellationToken ct) =>
        (await db.Set<Segment>().AsNoTracking().OrderBy(s => s.Name).Select(s => new { s.Id, s.Name }).ToListAsync(ct)).Select(s => (s.Id, s.Name)).ToList();

    /// <summary>Oldest first (the order they were made in), keyset on the time-ordered id, each with its live count.</summary>
    public async Task<Page<SegmentView>> ListAsync(int? limit, string? cursor, CancellationToken ct)
    {
        var take = Cursor.Limit(limit);
        var after = Cursor.DecodeGuid(cursor);
        var query = db.Set<Segment>().AsNoTracking();
        if (after is { } a)
        {
            query = query.Where(s => s.Id.CompareTo(a) > 0);
        }

        var rows = await query.OrderBy(s => s.Id).Take(take + 1).ToListAsync(ct);
        var items = new List<SegmentView>();
        foreach (var segment in rows.Take(take))
        {
            items.Add(await ViewAsync(segment, ct));
        }

        return new Page<SegmentView>(items, rows.Count > take ? Cursor.Encode(items[^1].Id.ToString()) : null);
    }

    /// <summary>The ids of the segment's members, as a query to compose (never loaded here).</summary>
    public async Task<IQueryable<Guid>> MemberIdsAsync(Guid id, CancellationToken ct)
    {
        var segment = await FindAsync(id, ct);
        return (await MembersAsync(segment.Match, RulesOf(segment), ct)).Select(f => f.CustomerId);
    }

    /// <summary>The members' figures, only ever counted or read for their ids (see <see cref="CustomerFigures.WithOrders"/>).</summary>
    private async Task<IQueryable<CustomerFigureRow>> MembersAsync(string match, IReadOnlyList<SegmentRule> rules, CancellationToken ct)
    {
        var program = await loyalty.LoadAsync(ct);
        var source = SegmentRules.OnlyCustomersWithOrdersMeet(rules) ? figures.WithOrders() : figures.Query();
        return SegmentRules.Apply(source, db, match, rules, LoyaltyPrograms.TiersOf(program), figures.Now);
    }

    private async Task<SegmentView> ViewAsync(Segment segment, CancellationToken ct)
    {
        var count = await (await MembersAsync(segment.Match, RulesOf(segment), ct)).CountAsync(ct);
        var rules = JsonSerializer.Deserialize<List<SegmentRuleView>>(segment.Rules, Json) ?? [];
        return new SegmentView(segment.Id, segment.Name, segment.Match, rules, count, segment.CreatedAt, segment.UpdatedAt);
    }

    private async Task<Segment> FindAsync(Guid id, CancellationToken ct) =>
        await db.Set<Segment>().AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct) ?? throw Errors.NotFound("Segment", id.ToString());

    private static (string Name, string Match, List<SegmentRuleView> Rules) Validate(SegmentRequest request)
    {
        var v = new Validation();
        var name = v.Required("name", request.Name, Segment.NameMaxLength);
        var match = request.Match ?? "all";
        if (match is not ("all" or "any"))
        {
            v.Add("match", "'match' must be all or any.");
        }

        SegmentRules.Parse(v, request.Rules);
        v.ThrowIfInvalid();
        // Kept as sent, so the rules read back as written; parsed again whenever evaluated.
        var rules = request.Rules!.Select(r => new SegmentRuleView(r!.Field!, r.Op!, r.Value!.Value)).ToList();
        return (name, match, rules);
    }

    private static List<SegmentRule> RulesOf(Segment segment) =>
        Parsed(JsonSerializer.Deserialize<List<SegmentRuleView>>(segment.Rules, Json) ?? []);

    private static List<SegmentRule> Parsed(List<SegmentRuleView> rules)
    {
        var v = new Validation();
        var parsed = SegmentRules.Parse(v, [.. rules.Select(r => new SegmentRuleRequest(r.Field, r.Op, r.Value))]);
        v.ThrowIfInvalid();
        return parsed;
    }
}
