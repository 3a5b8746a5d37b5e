using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Storekeep.Messaging;

/// <summary>What became of one SMS: no error when the provider accepted it; a permanent error is not retried.</summary>
public sealed record SmsOutcome(string? Error, bool Permanent);

/// <summary>Where SMS leave: a provider behind one call, so the deliverer treats every provider alike.</summary>
public interface ISmsSender
{
    /// <summary>False for the log provider: messages are then written to the log and kept as <c>logged</c>.</summary>
    bool Sends { get; }

    Task<SmsOutcome> SendAsync(string to, string body, CancellationToken ct);
}

/// <summary>SMS settings (<c>Sms:Provider</c> twilio|log, and Twilio's account, token, sender and base URL).</summary>
public sealed class SmsSettings
{
    public const string Twilio = "twilio";
    public const string Log = "log";

    public SmsSettings(IConfiguration configuration)
    {
        var section = configuration.GetSection("Sms");
        Provider = (section["Provider"] ?? Log).Trim().ToLowerInvariant();
        if (Provider is not (Twilio or Log))
        {
            throw new InvalidOperationException($"Sms:Provider must be twilio or log; it is '{section["Provider"]}'.");
        }

        AccountSid = section["Twilio:AccountSid"]?.Trim() ?? "";
        AuthToken = section["Twilio:AuthToken"] ?? "";
        From = section["Twilio:From"]?.Trim() ?? "";
        BaseUrl = (section["Twilio:BaseUrl"] ?? "https://api.twilio.com").Trim().TrimEnd('/');
        if (Provider == Twilio && (AccountSid.Length == 0 || AuthToken.Length == 0 || From.Length == 0))
        {
            throw new InvalidOperationException("Sms:Provider twilio needs Sms:Twilio:AccountSid, Sms:Twilio:AuthToken and Sms:Twilio:From.");
        }
    }

    public string Provider { get; }
    public string AccountSid { get; }
    public string AuthToken { get; }
    public string From { get; }

    /// <summary>Twilio's API root; a local test double in tests.</summary>
    public string BaseUrl { get; }
}

/// <summary>No provider: the deliverer logs each SMS and keeps it as <c>logged</c>.</summary>
public sealed class LogSmsSender : ISmsSender
{
    public bool Sends => false;

    public Task<SmsOutcome> SendAsync(string to, string body, CancellationToken ct) => Task.FromResult(new SmsOutcome(null, false));
}

/// <summary>
/// Twilio's Messages API (<c>POST /2010-04-01/Accounts/{sid}/Messages.json</c>, form-encoded, basic
/// auth). A 4xx answer other than 429 is Twilio refusing this message (an invalid number, an
/// unsubscribed recipient): retrying cannot help. 429, 5xx and network errors are retried.
/// </summary>
public sealed class TwilioSmsSender(IHttpClientFactory clients, SmsSettings settings) : ISmsSender
{
    public const string HttpClientName = "twilio";

    public bool Sends => true;

    public async Task<SmsOutcome> SendAsync(string to, string body, CancellationToken ct)
    {
        var http = clients.CreateClient(HttpClientName);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{settings.BaseUrl}/2010-04-01/Accounts/{Uri.EscapeDataString(settings.AccountSid)}/Messages.json")
        {
            Content = new FormUrlEncodedContent([new("To", to), new("From", settings.From), new("Body", body)]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.AccountSid}:{settings.AuthToken}")));
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            return new SmsOutcome($"Twilio could not be reached: {e.Message}", false);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            return new SmsOutcome($"Twilio did not answer in time: {e.Message}", false);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                return new SmsOutcome(null, false);
            }

            var text = await response.Content.ReadAsStringAsync(ct);
            var status = (int)response.StatusCode;
            var permanent = status is >= 400 and < 500 && response.StatusCode != HttpStatusCode.TooManyRequests;
            return new SmsOutcome($"Twilio answered {status}: {Describe(text)}", permanent);
        }
    }

    private static string Describe(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var code = root.TryGetProperty("code", out var c) ? c.ToString() : "?";
            var message = root.TryGetProperty("message", out var m) ? m.GetString() : body;
            return $"{message} (code {code})";
        }
        catch (JsonException)
        {
            return body.Length > 300 ? body[..300] : body;
        }
    }
}
