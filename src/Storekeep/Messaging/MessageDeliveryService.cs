using Microsoft.Extensions.Logging;

namespace Storekeep.Messaging;

/// <summary>
/// In-process wake-up for this node's sender: fired after a commit that added messages (see
/// <see cref="Data.CommitNotifyInterceptor{TEntity}"/>) and by a manual retry. Other nodes find the
/// work by polling, so a lost signal only delays.
/// </summary>
public sealed class MessageSignal : Storekeep.Shared.WakeUpSignal;

/// <summary>
/// The email loop of this node: send due messages, then sleep until messages commit, a retry is
/// asked for, or the poll interval (<c>Email:PollMilliseconds</c>) passes. Every node runs it; leases keep them from
/// sending the same message.
/// </summary>
public sealed class MessageDeliveryService(
    MessageDeliverer deliverer,
    MessageSignal signal,
    EmailSettings settings,
    ILogger<MessageDeliveryService> logger) : Storekeep.Shared.WakeUpLoop(signal, logger)
{
    protected override string LoopName => "email delivery";

    protected override bool Enabled => settings.DelivererEnabled;

    protected override TimeSpan PollInterval => settings.PollInterval;

    protected override async Task<bool> RunRoundAsync(CancellationToken ct) =>
        await deliverer.DeliverDueAsync(ct) >= settings.BatchSize;
}
