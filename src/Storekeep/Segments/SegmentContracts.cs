using System.Text.Json;

namespace Storekeep.Segments;

public static class SegmentPermissions
{
    /// <summary>See segments and their customers.</summary>
    public const string Read = "segments.read";

    /// <summary>Create and change segments.</summary>
    public const string Write = "segments.write";
}

/// <param name="Value">A number, a string, a boolean, or (with <c>in</c>) an array of them, as the field takes.</param>
public sealed record SegmentRuleRequest(string? Field, string? Op, JsonElement? Value);

public sealed record SegmentRequest(string? Name, string? Match, IReadOnlyList<SegmentRuleRequest?>? Rules);

public sealed record SegmentRuleView(string Field, string Op, JsonElement Value);

/// <param name="Count">How many customers match now (evaluated when read).</param>
public sealed record SegmentView(Guid Id, string Name, string Match, IReadOnlyList<SegmentRuleView> Rules, int Count, DateTime CreatedAt, DateTime UpdatedAt);
