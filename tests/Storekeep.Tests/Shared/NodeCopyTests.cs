using Storekeep.Shared;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Shared;

/// <summary>
/// A node's copy of what requests read and changes clear (running experiments, automatic
/// discounts): loaded once while fresh, dropped by a clear or its lifetime, and never kept from a
/// load that a clear overtook.
/// </summary>
public sealed class NodeCopyTests
{
    [Fact]
    public async Task A_value_is_loaded_once_per_key_while_fresh_and_again_after_a_clear_or_its_lifetime()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
        var copy = new NodeCopy<string, int>(clock, TimeSpan.FromSeconds(5));
        var loads = 0;
        Task<int> Load() => Task.FromResult(++loads);

        Assert.Equal(1, await copy.GetAsync("offer", Load));
        clock.Now += TimeSpan.FromSeconds(4.9);
        Assert.Equal(1, await copy.GetAsync("offer", Load));
        Assert.Equal(2, await copy.GetAsync("banner", Load)); // each key its own entry

        copy.Clear();
        Assert.Equal(3, await copy.GetAsync("offer", Load));
        clock.Now += TimeSpan.FromSeconds(5);
        Assert.Equal(4, await copy.GetAsync("offer", Load));
        Assert.Equal(4, loads);
    }

    [Fact]
    public async Task A_load_that_began_before_a_clear_answers_its_caller_but_is_not_kept()
    {
        var copy = new NodeCopy<string, string>(TimeProvider.System, TimeSpan.FromMinutes(5));
        var stale = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        // The read starts before the change commits; the change clears the copy while it runs.
        var racing = copy.GetAsync("automatic", () => stale.Task);
        copy.Clear();
        stale.SetResult("before the change");
        Assert.Equal("before the change", await racing);

        Assert.Equal("after the change", await copy.GetAsync("automatic", () => Task.FromResult("after the change")));
        Assert.Equal("after the change", await copy.GetAsync("automatic", () => Task.FromResult("not read: kept")));
    }
}
