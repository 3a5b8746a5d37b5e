namespace Storekeep.Shared;

/// <summary>Who is doing something, for the ledger, the timeline and the audit trail.</summary>
public sealed record Actor(string Name)
{
    public static readonly Actor System = new("system");
    public static readonly Actor Customer = new("customer");

    public override string ToString() => Name;
}
