using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Storekeep.Tests.Infrastructure;

/// <summary>
/// A real SMTP server on 127.0.0.1 and a free port that keeps every message it accepts (parsed with
/// MimeKit). It can be stopped (connections are then refused) and started again on the same port,
/// to play an outage. <see cref="Settings"/> points a test store at it.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<MimeMessage> _received = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private SmtpServer.SmtpServer? _server;
    private CancellationTokenSource? _stop;
    private Task? _running;

    private SmtpTestServer(int port) => Port = port;

    public int Port { get; }

    public IReadOnlyList<MimeMessage> Received => _received.ToArray();

    /// <summary>How many SMTP sessions (connections) carried mail, over every start.</summary>
    public int Sessions => _sessionIds.Count;

    private readonly ConcurrentDictionary<Guid, bool> _sessionIds = new();

    public static async Task<SmtpTestServer> StartAsync()
    {
        var server = new SmtpTestServer(FreeLoopbackPort.Next());
        await server.StartListeningAsync();
        return server;
    }

    /// <summary>A server whose port is reserved but nothing listens yet (SMTP is down).</summary>
    public static SmtpTestServer Down() => new(FreeLoopbackPort.Next());

    /// <summary>The settings that send a store's email here.</summary>
    public Dictionary<string, string?> Settings(IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email:Smtp:Security"] = "none",
            ["Email:From"] = "shop@example.test",
            ["Store:PublicUrl"] = "https://shop.example.test",
            ["Email:PollMilliseconds"] = "50",
            ["Email:RetryBaseMilliseconds"] = "100",
            ["Email:RetryMaxMilliseconds"] = "500",
            ["Email:TimeoutSeconds"] = "5",
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    public async Task StartListeningAsync()
    {
        var options = new SmtpServerOptionsBuilder()
            .ServerName("smtp.test")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        var server = new SmtpServer.SmtpServer(options, services);
        _stop = new CancellationTokenSource();
        _server = server;
        _running = server.StartAsync(_stop.Token);

        // StartAsync binds the port before its first await; wait until it accepts connections.
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(20);
            }
        }

        throw new InvalidOperationException($"The test SMTP server did not start on port {Port}.");
    }

    public async Task StopListeningAsync()
    {
        if (_server is { } server && _stop is { } stop && _running is { } running)
        {
            _server = null;
            server.Shutdown();
            await stop.CancelAsync();
            try
            {
                await running;
            }
            catch (OperationCanceledException)
            {
            }

            stop.Dispose();
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> messages have arrived in all; fails the test otherwise.</summary>
    public async Task<IReadOnlyList<MimeMessage>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (_received.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Expected {count} emails, received {_received.Count}.");
            }

            await _arrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }

        return Received;
    }

    /// <summary>The one message sent to <paramref name="to"/> with a subject containing <paramref name="subject"/>.</summary>
    public async Task<MimeMessage> WaitForAsync(string to, string subject, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var found = Received.Where(m => m.To.Mailboxes.Any(a => a.Address == to) && (m.Subject ?? "").Contains(subject, StringComparison.Ordinal)).ToList();
            if (found.Count > 0)
            {
                return found.Single();
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No email to {to} about '{subject}' arrived; received: {string.Join("; ", Received.Select(m => $"{m.To} '{m.Subject}'"))}.");
            }

            await _arrived.WaitAsync(TimeSpan.FromMilliseconds(200));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopListeningAsync();
        _arrived.Dispose();
    }

    private sealed class Store(SmtpTestServer owner) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            owner._sessionIds.TryAdd(context.SessionId, true);
            owner._received.Enqueue(message);
            owner._arrived.Release();
            return SmtpResponse.Ok;
        }
    }
}
