using Storekeep.Payments;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Suites;

/// <summary>
/// The suites that load the machine on purpose (a thousand buyers, two nodes, a server killed and
/// restarted) run one at a time, after the rest, so none of them starves another into a timeout.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeavySuites
{
    public const string Name = "Heavy suites";

    /// <summary>
    /// Both databases with the checkout's capture inside the request, and PostgreSQL with it in
    /// batches after the answer (<c>Payments:CheckoutCapture</c>), so the suites hold either way.
    /// </summary>
    public static TheoryData<string, string> EveryDatabaseAndCapture => new()
    {
        { TestDatabases.Sqlite, CheckoutCaptureQueue.Request },
        { TestDatabases.Postgres, CheckoutCaptureQueue.Request },
        { TestDatabases.Postgres, CheckoutCaptureQueue.Batched },
    };

    /// <summary>PostgreSQL with either capture (the two-node suite needs a shared server).</summary>
    public static TheoryData<string, string> PostgresEveryCapture => new()
    {
        { TestDatabases.Postgres, CheckoutCaptureQueue.Request },
        { TestDatabases.Postgres, CheckoutCaptureQueue.Batched },
    };
}
