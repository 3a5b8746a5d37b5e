using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Storekeep.Tests.Infrastructure;

public sealed record ReceivedWebhook(string Body, string? Signature, string? EventId, string? EventType, string? ContentType, int AnsweredWith);

/// <summary>
/// A real HTTP endpoint on 127.0.0.1 and a fixed port that records every request it gets. It can be
/// stopped (the port is then closed: connections are refused) and started again on the same port,
/// and told which status to answer with.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private WebApplication? _app;
    private volatile int _status = 200;

    private WebhookReceiver(int port) => Port = port;

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}/hooks";
    public IReadOnlyList<ReceivedWebhook> Received => _received.ToArray();

    /// <summary>The status answered from now on.</summary>
    public int AnswerWith
    {
        get => _status;
        set => _status = value;
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver(FreeLoopbackPort.Next());
        await receiver.StartListeningAsync();
        return receiver;
    }

    /// <summary>A receiver whose port is reserved for it but nothing listens yet.</summary>
    public static WebhookReceiver Down() => new(FreeLoopbackPort.Next());

    public async Task StartListeningAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/hooks", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync();
            var status = _status;
            _received.Enqueue(new ReceivedWebhook(
                body,
                http.Request.Headers["Storekeep-Signature"].ToString(),
                http.Request.Headers["Storekeep-Event-Id"].ToString(),
                http.Request.Headers["Storekeep-Event-Type"].ToString(),
                http.Request.ContentType,
                status));
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        _app = app;
    }

    public async Task StopListeningAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => new(StopListeningAsync());
}

public static class Eventually
{
    /// <summary>Polls until <paramref name="condition"/> holds; fails after <paramref name="seconds"/>.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out after {seconds} s waiting for: {what}");
            await Task.Delay(50);
        }
    }
}
