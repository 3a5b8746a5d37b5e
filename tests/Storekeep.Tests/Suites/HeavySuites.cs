namespace Storekeep.Tests.Suites;

/// <summary>
/// The suites that load the machine on purpose (a thousand buyers, two nodes, a server killed and
/// restarted) run one at a time, after the rest, so none of them starves another into a timeout.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeavySuites
{
    public const string Name = "Heavy suites";
}
