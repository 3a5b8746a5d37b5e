using System.Collections.Concurrent;
using MailKit;
using MailKit.Net.Smtp;
using MimeKit;

namespace Storekeep.Messaging;

/// <summary>
/// Open, signed-in SMTP connections kept between messages, up to <c>Email:Concurrency</c> of them:
/// a campaign of 100,000 emails would otherwise pay a TCP handshake, greeting, EHLO, TLS and AUTH
/// for every one. A connection idle for a while is checked with NOOP before reuse, and one that
/// fails mid-conversation is thrown away, never returned.
/// </summary>
public sealed class SmtpConnections(EmailSettings settings, TimeProvider clock) : IAsyncDisposable
{
    /// <summary>Idle longer than this, a kept connection is checked before use (servers drop idle sessions).</summary>
    private static readonly TimeSpan CheckAfterIdle = TimeSpan.FromSeconds(2);

    /// <summary>Idle longer than this, a kept connection is closed instead of used.</summary>
    private static readonly TimeSpan MaxIdle = TimeSpan.FromSeconds(30);

    private readonly ConcurrentBag<(SmtpClient Client, DateTimeOffset IdleSince)> _idle = [];

    /// <summary>
    /// Sends <paramref name="mime"/> over a kept connection when there is one, else a new one. A
    /// kept connection that turns out to be dead before the message went (the server dropped it)
    /// is replaced once by a new connection.
    /// </summary>
    public async Task SendAsync(MimeMessage mime, CancellationToken ct)
    {
        // At most two attempts: only a kept connection is retried, and the retry's is fresh.
        var (client, reused) = await RentAsync(ct);
        while (true)
        {
            try
            {
                await client.SendAsync(mime, ct);
                break;
            }
            catch (Exception e) when (reused && e is IOException or ServiceNotConnectedException or SmtpProtocolException)
            {
                // The kept session was gone (closed by the server between messages): the server never
                // took the message, so it goes once more over a fresh connection.
                client.Dispose();
                (client, reused) = (await ConnectAsync(ct), false);
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }

        Return(client);
    }

    private async Task<(SmtpClient Client, bool Reused)> RentAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        while (_idle.TryTake(out var kept))
        {
            var idleFor = now - kept.IdleSince;
            if (!kept.Client.IsConnected || idleFor > MaxIdle)
            {
                await CloseAsync(kept.Client);
                continue;
            }

            if (idleFor > CheckAfterIdle)
            {
                try
                {
                    await kept.Client.NoOpAsync(ct);
                }
                catch (Exception e) when (e is IOException or ServiceNotConnectedException or SmtpProtocolException or SmtpCommandException)
                {
                    kept.Client.Dispose();
                    continue;
                }
            }

            return (kept.Client, true);
        }

        return (await ConnectAsync(ct), false);
    }

    private async Task<SmtpClient> ConnectAsync(CancellationToken ct)
    {
        var client = new SmtpClient { Timeout = (int)settings.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(settings.SmtpHost!, settings.SmtpPort, settings.Security, ct);
            if (settings.SmtpUsername is not null)
            {
                await client.AuthenticateAsync(settings.SmtpUsername, settings.SmtpPassword ?? "", ct);
            }

            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private void Return(SmtpClient client)
    {
        if (client.IsConnected && _idle.Count < settings.Concurrency)
        {
            _idle.Add((client, clock.GetUtcNow()));
        }
        else
        {
            _ = CloseAsync(client);
        }
    }

    /// <summary>QUIT politely; a failure to say goodbye changes nothing.</summary>
    private static async Task CloseAsync(SmtpClient client)
    {
        try
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync(true, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is IOException or ServiceNotConnectedException or SmtpProtocolException or OperationCanceledException or TimeoutException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var kept))
        {
            await CloseAsync(kept.Client);
        }
    }
}
