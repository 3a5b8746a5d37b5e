using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Messaging;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Messaging;

/// <summary>
/// Twilio's incoming-message webhook: a signed STOP withdraws SMS consent through the Customers
/// capability (checked over the API and in raw SQL), a bad signature changes nothing, a replay
/// keeps the first withdrawal and never withdraws consent given again since, and a later SMS
/// campaign leaves the number out.
/// </summary>
public sealed class InboundSmsTests
{
    private const string Path = "/api/v1/sms/inbound";
    private const string PublicUrl = "https://shop.example.test";

    private static HttpRequestMessage Inbound(string signedUrl, string from, string body, string sid, string? authToken = TwilioDouble.AuthToken, string? signature = null)
    {
        var form = new Dictionary<string, string>
        {
            ["MessageSid"] = sid,
            ["AccountSid"] = TwilioDouble.AccountSid,
            ["From"] = from,
            ["To"] = TwilioDouble.From,
            ["Body"] = body,
            ["NumMedia"] = "0",
        };
        var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new FormUrlEncodedContent(form) };
        signature ??= authToken is null ? null : SmsInbound.Signature(authToken, signedUrl, form);
        if (signature is not null)
        {
            request.Headers.Add(SmsInbound.SignatureHeader, signature);
        }

        return request;
    }

    private static async Task<string> CustomerAsync(HttpClient client, string email, string phone, bool acceptsSms) =>
        (await client.PostJson("/api/v1/customers", new
        {
            email,
            phone,
            tags = new[] { "sms" },
            consent = new { sms = new { accepted = acceptsSms, source = "test" } },
        }).Expect(HttpStatusCode.Created))["id"].Str();

    private static async Task<(bool Accepts, string? Source, DateTime? At)> SmsConsentInSqlAsync(TestStore store, string id)
    {
        await using var db = store.Db();
        var row = await db.Database.SqlQueryRaw<ConsentRow>(
            "SELECT CASE WHEN accepts_sms THEN 1 ELSE 0 END AS \"Accepts\", sms_consent_source AS \"Source\", sms_consent_at AS \"At\" FROM customers WHERE id = {0}", Guid.Parse(id)).SingleAsync();
        return (row.Accepts == 1, row.Source, row.At);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_signed_stop_withdraws_sms_consent_once_and_a_later_campaign_leaves_the_number_out(string database)
    {
        await using var twilio = await TwilioDouble.StartAsync();
        var settings = twilio.Settings();
        settings["Store:PublicUrl"] = PublicUrl; // behind a proxy: Twilio signed the public URL
        settings["Campaigns:Dispatcher"] = "false";
        await using var store = await TestStore.StartAsync(database, settings: settings);
        var ada = await CustomerAsync(store.Client, "ada@example.com", "+1 (415) 555-0101", acceptsSms: true);
        var twin = await CustomerAsync(store.Client, "twin@example.com", "+14155550101", acceptsSms: true); // the same number, written otherwise
        var bob = await CustomerAsync(store.Client, "bob@example.com", "+1 415 555 0102", acceptsSms: true);
        var signedUrl = PublicUrl + Path;

        // A wrong signature (another token), a signature over the request's own URL, or none: 403, nothing changed.
        await store.Anonymous.SendAsync(Inbound(signedUrl, "+14155550101", "STOP", "SM1", authToken: "not-the-token")).ExpectProblem(HttpStatusCode.Forbidden, "invalid_twilio_signature");
        await store.Anonymous.SendAsync(Inbound("http://localhost" + Path, "+14155550101", "STOP", "SM1")).ExpectProblem(HttpStatusCode.Forbidden, "invalid_twilio_signature");
        await store.Anonymous.SendAsync(Inbound(signedUrl, "+14155550101", "STOP", "SM1", authToken: null)).ExpectProblem(HttpStatusCode.Forbidden, "invalid_twilio_signature");
        var tampered = Inbound(signedUrl, "+14155550102", "STOP", "SM1", signature: SmsInbound.Signature(TwilioDouble.AuthToken, signedUrl, new Dictionary<string, string> { ["From"] = "+14155550101", ["Body"] = "STOP" }));
        await store.Anonymous.SendAsync(tampered).ExpectProblem(HttpStatusCode.Forbidden, "invalid_twilio_signature");
        Assert.True((await SmsConsentInSqlAsync(store, ada)).Accepts);

        // Other text is ignored, with the same empty TwiML answer.
        var chat = await store.Anonymous.SendAsync(Inbound(signedUrl, "+14155550101", "stop sending me the wrong size", "SM0"));
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.True((await SmsConsentInSqlAsync(store, ada)).Accepts);

        // Lower case with trailing space is Twilio's STOP too.
        var stop = await store.Anonymous.SendAsync(Inbound(signedUrl, "+14155550101", "stop ", "SM2"));
        Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        Assert.Equal("text/xml", stop.Content.Headers.ContentType?.MediaType);
        Assert.Equal(SmsInbound.EmptyTwiml, await stop.Content.ReadAsStringAsync());

        var view = await store.Client.GetAsync($"/api/v1/customers/{ada}").Expect(HttpStatusCode.OK);
        Assert.False(view["consent"]!["sms"]!["accepted"]!.GetValue<bool>());
        Assert.Equal(SmsInbound.StopSource, view["consent"]!["sms"]!["source"].Str());
        var first = await SmsConsentInSqlAsync(store, ada);
        Assert.Equal((false, SmsInbound.StopSource), (first.Accepts, first.Source));
        Assert.NotNull(first.At);
        Assert.Equal((false, SmsInbound.StopSource), ((await SmsConsentInSqlAsync(store, twin)).Accepts, (await SmsConsentInSqlAsync(store, twin)).Source));
        Assert.Equal((true, "test"), ((await SmsConsentInSqlAsync(store, bob)).Accepts, (await SmsConsentInSqlAsync(store, bob)).Source));

        // Twilio retries the same message: nothing more changes, the withdrawal keeps its first time.
        await Task.Delay(20);
        Assert.Equal(HttpStatusCode.OK, (await store.Anonymous.SendAsync(Inbound(signedUrl, "+14155550101", "stop ", "SM2"))).StatusCode);
        Assert.Equal(first, await SmsConsentInSqlAsync(store, ada));

        // START records nothing: consent must be given again explicitly.
        Assert.Equal(HttpStatusCode.OK, (await store.Anonymous.SendAsync(Inbound(signedUrl, "+14155550101", "START", "SM3"))).StatusCode);
        Assert.Equal(first, await SmsConsentInSqlAsync(store, ada));

        // The customer consents again, then Twilio replays the STOP it already delivered (same
        // MessageSid, valid signature): the new consent stays. A new STOP withdraws it.
        await store.Client.PatchJson($"/api/v1/customers/{ada}", new { consent = new { sms = new { accepted = true, source = "phone_call" } } }).Expect(HttpStatusCode.OK);
        var regiven = await SmsConsentInSqlAsync(store, ada);
        Assert.Equal((true, "phone_call"), (regiven.Accepts, regiven.Source));
        Assert.Equal(HttpStatusCode.OK, (await store.Anonymous.SendAsync(Inbound(signedUrl, "+14155550101", "stop ", "SM2"))).StatusCode);
        Assert.Equal(regiven, await SmsConsentInSqlAsync(store, ada));
        Assert.Equal(HttpStatusCode.OK, (await store.Anonymous.SendAsync(Inbound(signedUrl, "+14155550101", "STOP", "SM4"))).StatusCode);
        Assert.Equal((false, SmsInbound.StopSource), ((await SmsConsentInSqlAsync(store, ada)).Accepts, (await SmsConsentInSqlAsync(store, ada)).Source));
        await using (var handled = store.Db())
        {
            // Only the STOPs acted on are kept, once each.
            Assert.Equal(["SM2", "SM4"], await handled.Database.SqlQueryRaw<string>("SELECT message_sid AS \"Value\" FROM inbound_sms ORDER BY message_sid").ToListAsync());
        }

        // Ids are kept 30 days (Twilio retries within hours): the daily prune forgets the older ones only.
        await using (var aged = store.Db())
        {
            await aged.Set<InboundSms>().Where(x => x.MessageSid == "SM2").ExecuteUpdateAsync(x => x.SetProperty(r => r.ReceivedAt, DateTime.UtcNow.AddDays(-InboundSms.KeptDays - 1)));
        }

        await using (var scope = store.Services.CreateAsyncScope())
        {
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<SmsInbound>().PruneAsync(DateTime.UtcNow.AddDays(-InboundSms.KeptDays), CancellationToken.None));
        }

        await using (var pruned = store.Db())
        {
            Assert.Equal(["SM4"], await pruned.Database.SqlQueryRaw<string>("SELECT message_sid AS \"Value\" FROM inbound_sms ORDER BY message_sid").ToListAsync());
        }

        // A campaign to the segment afterwards reaches only the number that did not opt out.
        var segment = (await store.Client.PostJson("/api/v1/segments", new { name = "SMS", match = "all", rules = new[] { new { field = "tag", op = "eq", value = "sms" } } })
            .Expect(HttpStatusCode.Created))["id"].Str();
        var campaign = (await store.Client.PostJson("/api/v1/campaigns", new { name = "Sale", channel = "sms", segmentId = segment, body = "20% off today" })
            .Expect(HttpStatusCode.Created))["id"].Str();
        var sent = await store.Client.PostAsync($"/api/v1/campaigns/{campaign}/send", null).Expect(HttpStatusCode.Accepted);
        Assert.Equal(1, sent["recipients"].Int());
        await using var db = store.Db();
        Assert.Equal(["+14155550102"], await db.Set<Storekeep.Campaigns.CampaignRecipient>().Where(r => r.CampaignId == Guid.Parse(campaign)).Select(r => r.Address).ToListAsync());
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Without_a_public_url_the_request_url_is_signed_and_the_log_provider_receives_nothing(string database)
    {
        await using var twilio = await TwilioDouble.StartAsync();
        await using (var store = await TestStore.StartAsync(database, settings: twilio.Settings()))
        {
            var ada = await CustomerAsync(store.Client, "ada@example.com", "+44 20 7946 0958", acceptsSms: true);
            var stop = await store.Anonymous.SendAsync(Inbound("http://localhost" + Path, "+442079460958", "Unsubscribe", "SM1"));
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
            Assert.Equal((false, SmsInbound.StopSource), ((await SmsConsentInSqlAsync(store, ada)).Accepts, (await SmsConsentInSqlAsync(store, ada)).Source));
        }

        await using var logStore = await TestStore.StartAsync(database);
        var bob = await CustomerAsync(logStore.Client, "bob@example.com", "+44 20 7946 0958", acceptsSms: true);
        await logStore.Anonymous.SendAsync(Inbound("http://localhost" + Path, "+442079460958", "STOP", "SM1")).ExpectProblem(HttpStatusCode.NotFound, "not_found");
        Assert.True((await SmsConsentInSqlAsync(logStore, bob)).Accepts);
    }

    [Fact]
    public void Keywords_are_twilios_standard_ones_whole_trimmed_and_in_any_case()
    {
        foreach (var word in new[] { "STOP", "stop", " Stop\n", "STOPALL", "unsubscribe", "CANCEL", "end", "QUIT" })
        {
            Assert.Equal(SmsKeyword.OptOut, SmsInbound.KeywordOf(word));
        }

        foreach (var word in new[] { "START", "yes", "Unstop" })
        {
            Assert.Equal(SmsKeyword.OptIn, SmsInbound.KeywordOf(word));
        }

        foreach (var word in new[] { "", "please stop", "STOP!", "stopp", "no" })
        {
            Assert.Equal(SmsKeyword.None, SmsInbound.KeywordOf(word));
        }

        // Twilio's documented example: the URL, then the POST parameters sorted by name as name+value.
        var parameters = new Dictionary<string, string>
        {
            ["CallSid"] = "CA1234567890ABCDE",
            ["Caller"] = "+12349013030",
            ["Digits"] = "1234",
            ["From"] = "+12349013030",
            ["To"] = "+18005551212",
        };
        Assert.Equal("0/KCTR6DLpKmkAf8muzZqo1nDgQ=", SmsInbound.Signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", parameters));
    }

    private sealed record ConsentRow(int Accepts, string? Source, DateTime? At);
}
