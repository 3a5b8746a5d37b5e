using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Storekeep.Tests.Infrastructure;

/// <summary>One SMS the double accepted or refused: the form Twilio would have received, and the basic-auth header.</summary>
public sealed record TwilioRequest(string AccountSid, string To, string From, string Body, string? Authorization);

/// <summary>
/// A local HTTP double of Twilio's Messages API (we cannot reach Twilio from tests): it accepts
/// <c>POST /2010-04-01/Accounts/{sid}/Messages.json</c> as Twilio does (201 with a message sid),
/// and refuses numbers listed in <see cref="Invalid"/> as Twilio refuses an invalid "To" (400, code 21211).
/// </summary>
public sealed class TwilioDouble : IAsyncDisposable
{
    public const string AccountSid = "AC00000000000000000000000000000001";
    public const string AuthToken = "test-auth-token";
    public const string From = "+15005550006";

    private readonly ConcurrentQueue<TwilioRequest> _received = new();
    private WebApplication? _app;

    private TwilioDouble(int port) => Port = port;

    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public IReadOnlyList<TwilioRequest> Received => _received.ToArray();

    /// <summary>Numbers answered with Twilio's "invalid To" error.</summary>
    public ConcurrentDictionary<string, bool> Invalid { get; } = new();

    public static async Task<TwilioDouble> StartAsync()
    {
        var double_ = new TwilioDouble(FreeLoopbackPort.Next());
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(double_.BaseUrl);
        var app = builder.Build();
        app.MapPost("/2010-04-01/Accounts/{sid}/Messages.json", async (string sid, HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            var received = new TwilioRequest(sid, form["To"].ToString(), form["From"].ToString(), form["Body"].ToString(), request.Headers.Authorization.ToString());
            double_._received.Enqueue(received);
            if (double_.Invalid.ContainsKey(received.To))
            {
                return Results.Json(new { code = 21211, message = $"The 'To' number {received.To} is not a valid phone number.", status = 400 }, statusCode: 400);
            }

            return Results.Json(new { sid = "SM" + Guid.NewGuid().ToString("N"), status = "queued", to = received.To }, statusCode: 201);
        });
        await app.StartAsync();
        double_._app = app;
        return double_;
    }

    /// <summary>The settings that send a store's SMS here.</summary>
    public Dictionary<string, string?> Settings() => new()
    {
        ["Sms:Provider"] = "twilio",
        ["Sms:Twilio:AccountSid"] = AccountSid,
        ["Sms:Twilio:AuthToken"] = AuthToken,
        ["Sms:Twilio:From"] = From,
        ["Sms:Twilio:BaseUrl"] = BaseUrl,
    };

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
