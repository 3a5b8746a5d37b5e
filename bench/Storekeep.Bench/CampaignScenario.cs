using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Npgsql;
using SmtpServer;
using SmtpServer.Storage;
using Spectre.Console;

namespace Storekeep.Bench;

/// <summary>
/// A campaign to 100,000 consenting customers (10,000 with --quick) through the real app and a
/// local SMTP sink. Measured: how fast sending begins (the recipients written: recipients/s
/// queued, against a raw INSERT … SELECT of the same rows in the same database) and how fast the
/// messages reach the SMTP server (sent/s, against the configured rate and against raw MailKit
/// sends to the same sink with the same concurrency, a new connection per message as the app
/// does). Checked: every consenting customer got exactly one message, nobody else got one, and
/// every message is recorded as sent, or the scenario fails.
/// Ratio = app sent/s ÷ min(configured rate, raw sends/s).
/// </summary>
public static class CampaignScenario
{
    public const string Name = "campaign";
    private const int Concurrency = 8;

    public static async Task<int> RunAsync(bool quick, CancellationToken ct)
    {
        var customers = quick ? 10_000 : 100_000;
        var withoutConsent = customers / 10;
        var rate = quick ? 1_000 : 2_000;
        AnsiConsole.MarkupLineInterpolated($"[bold]{Name}[/]: an email campaign to {customers:N0} consenting customers (+{withoutConsent:N0} without consent) at Campaigns:RatePerSecond={rate:N0}, Email:Concurrency={Concurrency}, into a local SMTP sink");

        await using var sink = await SmtpSink.StartAsync(ct);
        await using var database = await BenchDatabase.CreateAsync(ct);
        var settings = new Dictionary<string, string>
        {
            ["Email__Smtp__Host"] = "127.0.0.1",
            ["Email__Smtp__Port"] = sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email__Smtp__Security"] = "none",
            ["Email__From"] = "shop@bench.test",
            ["Email__Concurrency"] = Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email__PollMilliseconds"] = "100",
            ["Store__PublicUrl"] = "https://shop.bench.test",
            ["Campaigns__RatePerSecond"] = rate.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Campaigns__BatchSize"] = "500",
            ["Campaigns__PollMilliseconds"] = "100",
        };
        await using var server = await ServerProcess.StartAsync(database.ConnectionString, settings, ct);
        var key = await ServerProcess.CreateApiKeyAsync(database.ConnectionString, ct);
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        await LoadCustomersAsync(database.ConnectionString, customers, withoutConsent, ct);

        // Baseline 1: the same recipient rows written by hand, in the same database.
        var rawQueue = await RawQueueAsync(database.ConnectionString, ct);

        var segment = await PostAsync(http, "/api/v1/segments", new { name = "Bench customers", match = "all", rules = new[] { new { field = "tag", op = "eq", value = "bench" } } }, ct);
        var campaign = await PostAsync(http, "/api/v1/campaigns", new
        {
            name = "Bench campaign",
            channel = "email",
            segmentId = segment.GetProperty("id").GetString(),
            subject = "Hello {{customer.firstName}}",
            body = "Hello {{customer.firstName}},\n\nour new collection is in: https://shop.bench.test/collections/new\n\nSee you soon.",
        }, ct);
        var id = campaign.GetProperty("id").GetString()!;

        var clock = Stopwatch.StartNew();
        using (var send = await http.PostAsync($"/api/v1/campaigns/{id}/send", null, ct))
        {
            var text = await send.Content.ReadAsStringAsync(ct);
            if (send.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"send answered {(int)send.StatusCode}: {text}");
            }

            var recipients = JsonDocument.Parse(text).RootElement.GetProperty("recipients").GetInt32();
            if (recipients != customers)
            {
                throw new InvalidOperationException($"The campaign has {recipients} recipients; {customers} consenting customers were loaded.");
            }
        }

        var queued = clock.Elapsed;
        AnsiConsole.MarkupLineInterpolated($"queued: {customers:N0} recipients in {queued.TotalSeconds:0.00} s = [bold]{customers / queued.TotalSeconds:N0} recipients/s[/] (raw INSERT … SELECT: {rawQueue.TotalSeconds:0.00} s = {customers / rawQueue.TotalSeconds:N0}/s)");

        var progress = TimeSpan.Zero;
        while (sink.Count < customers)
        {
            await Task.Delay(250, ct);
            if (clock.Elapsed - progress >= TimeSpan.FromSeconds(10))
            {
                progress = clock.Elapsed;
                AnsiConsole.MarkupLineInterpolated($"  {clock.Elapsed.TotalSeconds:0} s: {sink.Count:N0} received ({sink.Count / clock.Elapsed.TotalSeconds:N0}/s)");
            }

            if (clock.Elapsed > TimeSpan.FromMinutes(30))
            {
                throw new TimeoutException($"Only {sink.Count} of {customers} messages arrived in 30 minutes.");
            }
        }

        var sentIn = clock.Elapsed;
        var sentPerSecond = customers / sentIn.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(3), ct); // a duplicate would arrive now
        await CheckAsync(database.ConnectionString, sink, customers, Guid.Parse(id), ct);
        AnsiConsole.MarkupLineInterpolated($"sent: {customers:N0} in {sentIn.TotalSeconds:0.0} s = [bold]{sentPerSecond:N0}/s[/] (configured {rate:N0}/s); every consenting customer exactly once, nobody else");

        // Baseline 2: raw MailKit sends to the same sink, same concurrency, over kept connections.
        var rawCount = Math.Min(customers, quick ? 2_000 : 10_000);
        var rawSend = await RawSendAsync(sink, rawCount, ct);
        var rawPerSecond = rawCount / rawSend.TotalSeconds;
        AnsiConsole.MarkupLineInterpolated($"raw MailKit: {rawCount:N0} messages in {rawSend.TotalSeconds:0.0} s = {rawPerSecond:N0}/s over {Concurrency} kept connections");

        var ceiling = Math.Min(rate, rawPerSecond);
        var ratio = sentPerSecond / ceiling;
        AnsiConsole.MarkupLineInterpolated($"queue ratio (raw INSERT time ÷ app time) = {rawQueue.TotalSeconds / queued.TotalSeconds:0.000}");
        Console.WriteLine($"{Name}: ratio={ratio:0.000} (sent {sentPerSecond:0}/s of min(rate {rate}, raw {rawPerSecond:0}/s); queued {customers / queued.TotalSeconds:0}/s)");
        return 0;
    }

    private static async Task LoadCustomersAsync(string connectionString, int consenting, int without, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("""
            INSERT INTO customers (id, email, first_name, created_at, accepts_email, email_consent_at, email_consent_source, accepts_sms)
            SELECT gen_random_uuid(), 'customer' || g || '@bench.test', 'Customer ' || g, now(), g <= @consenting, now(), 'bench', false
            FROM generate_series(1, @total) AS g;
            INSERT INTO customer_tags (customer_id, tag) SELECT id, 'bench' FROM customers;
            """, connection) { CommandTimeout = 600 };
        command.Parameters.AddWithValue("consenting", consenting);
        command.Parameters.AddWithValue("total", consenting + without);
        await command.ExecuteNonQueryAsync(ct);
        await using var vacuum = new NpgsqlCommand("VACUUM ANALYZE customers, customer_tags", connection) { CommandTimeout = 600 };
        await vacuum.ExecuteNonQueryAsync(ct);
        AnsiConsole.MarkupLineInterpolated($"loaded {consenting + without:N0} customers in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    private static async Task<TimeSpan> RawQueueAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var clock = Stopwatch.StartNew();
        await using var command = new NpgsqlCommand("""
            CREATE TABLE bench_recipients (LIKE campaign_recipients INCLUDING ALL);
            INSERT INTO bench_recipients (id, campaign_id, customer_id, variant_key, address, token, status)
            SELECT gen_random_uuid(), '00000000-0000-0000-0000-000000000001', c.id, 'default', c.email, md5(c.id::text), 'pending'
            FROM customers c JOIN customer_tags t ON t.customer_id = c.id AND t.tag = 'bench' WHERE c.accepts_email;
            """, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync(ct);
        var elapsed = clock.Elapsed;
        await using var drop = new NpgsqlCommand("DROP TABLE bench_recipients", connection);
        await drop.ExecuteNonQueryAsync(ct);
        return elapsed;
    }

    private static async Task CheckAsync(string connectionString, SmtpSink sink, int customers, Guid campaignId, CancellationToken ct)
    {
        var received = sink.Recipients;
        var duplicates = received.Where(r => r.Value > 1).Take(3).Select(r => r.Key).ToList();
        if (sink.Count != customers || received.Count != customers || duplicates.Count > 0)
        {
            throw new InvalidOperationException($"The sink received {sink.Count} messages for {received.Count} addresses (expected {customers} each); duplicates: {string.Join(", ", duplicates)}");
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("""
            SELECT count(*) FILTER (WHERE c.accepts_email), count(*) FILTER (WHERE NOT c.accepts_email)
            FROM customers c WHERE lower(c.email) = ANY(@emails)
            """, connection);
        command.Parameters.AddWithValue("emails", received.Keys.ToArray());
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            if (reader.GetInt64(0) != customers || reader.GetInt64(1) != 0)
            {
                throw new InvalidOperationException($"Received by {reader.GetInt64(0)} consenting and {reader.GetInt64(1)} non-consenting customers.");
            }
        }

        // The app records each outcome after the SMTP server accepted the message: wait for the last ones.
        for (var i = 0; ; i++)
        {
            await using var sent = new NpgsqlCommand("SELECT count(*) FILTER (WHERE status = 'sent'), count(*) FROM messages WHERE campaign_id = @id", connection);
            sent.Parameters.AddWithValue("id", campaignId);
            await using var reader = await sent.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            var (done, all) = (reader.GetInt64(0), reader.GetInt64(1));
            if (done == customers && all == customers)
            {
                return;
            }

            if (i > 120)
            {
                throw new InvalidOperationException($"{done} of {all} campaign messages are recorded as sent; expected {customers}.");
            }

            await Task.Delay(250, ct);
        }
    }

    private static async Task<TimeSpan> RawSendAsync(SmtpSink sink, int count, CancellationToken ct)
    {
        sink.Reset();
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            // One kept connection per worker, as the app keeps up to Email:Concurrency of them.
            using var client = new SmtpClient();
            await client.ConnectAsync("127.0.0.1", sink.Port, SecureSocketOptions.None, ct);
            while (Interlocked.Increment(ref next) < count)
            {
                var message = new MimeMessage();
                message.From.Add(MailboxAddress.Parse("shop@bench.test"));
                message.To.Add(MailboxAddress.Parse($"raw{next}@bench.test"));
                message.Subject = "Hello";
                message.Body = new BodyBuilder { TextBody = "Hello, our new collection is in.", HtmlBody = "<p>Hello, our new collection is in.</p>" }.ToMessageBody();
                await client.SendAsync(message, ct);
            }

            await client.DisconnectAsync(true, ct);
        }));
        return clock.Elapsed;
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string path, object body, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(path, body, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {text}");
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>An SMTP server that counts what it is given, per recipient address (lower case).</summary>
    private sealed class SmtpSink : IAsyncDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private ConcurrentDictionary<string, int> recipients = new(StringComparer.Ordinal);
        private int count;
        private SmtpServer.SmtpServer server = null!;
        private Task running = Task.CompletedTask;

        public int Port { get; private init; }
        public int Count => Volatile.Read(ref count);
        public IReadOnlyDictionary<string, int> Recipients => recipients;

        public static async Task<SmtpSink> StartAsync(CancellationToken ct)
        {
            var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            var sink = new SmtpSink { Port = port };
            var options = new SmtpServerOptionsBuilder().ServerName("sink.bench").Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, port))).Build();
            var services = new SmtpServer.ComponentModel.ServiceProvider();
            services.Add(new Store(sink));
            sink.server = new SmtpServer.SmtpServer(options, services);
            sink.running = sink.server.StartAsync(sink.stop.Token);
            for (var i = 0; i < 100; i++)
            {
                try
                {
                    using var probe = new System.Net.Sockets.TcpClient();
                    await probe.ConnectAsync(IPAddress.Loopback, port, ct);
                    return sink;
                }
                catch (System.Net.Sockets.SocketException)
                {
                    await Task.Delay(20, ct);
                }
            }

            throw new InvalidOperationException($"The SMTP sink did not start on port {port}.");
        }

        public void Reset()
        {
            recipients = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
            Volatile.Write(ref count, 0);
        }

        public async ValueTask DisposeAsync()
        {
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

        private sealed class Store(SmtpSink sink) : MessageStore
        {
            public override Task<SmtpServer.Protocol.SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
            {
                foreach (var to in transaction.To)
                {
                    sink.recipients.AddOrUpdate($"{to.User}@{to.Host}".ToLowerInvariant(), 1, (_, n) => n + 1);
                }

                Interlocked.Increment(ref sink.count);
                return Task.FromResult(SmtpServer.Protocol.SmtpResponse.Ok);
            }
        }
    }
}
