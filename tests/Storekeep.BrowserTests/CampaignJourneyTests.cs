using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Storekeep.BrowserTests.Infrastructure;
using Storekeep.Campaigns;
using Storekeep.Data;
using static Microsoft.Playwright.Assertions;

namespace Storekeep.BrowserTests;

/// <summary>
/// Issue #14's segment and campaign in one run: a marketing user builds a segment of the demo's
/// customers (the count is live), sends it a campaign from the back office, watches it go out,
/// and every consenting member gets exactly one email with one-click unsubscribe.
/// </summary>
public sealed class CampaignJourneyTests(StorekeepServerWithMail server, Chromium chromium) : IClassFixture<StorekeepServerWithMail>, IClassFixture<Chromium>
{
    private static ILocator Field(IPage page, string testId) =>
        page.Locator($"input[data-testid={testId}], textarea[data-testid={testId}], [data-testid={testId}] input, [data-testid={testId}] textarea").First;

    [Fact]
    public async Task A_marketer_builds_a_segment_and_sends_it_a_campaign()
    {
        Chromium.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        var segmentName = $"Spent 200+ {Guid.NewGuid():N}"[..20];

        await using var staff = await chromium.NewContextAsync(phone: false, server.BaseUrl);
        var admin = await staff.NewPageAsync();
        await admin.GotoAsync("/admin/login");
        await admin.FillAsync("#email", "marketing@demo.storekeep.test");
        await admin.FillAsync("#password", server.StaffPassword);
        await admin.ClickAsync("button[type=submit]");
        await Expect(admin).ToHaveURLAsync(new Regex("/admin$"));

        // The segment: total spent ≥ 200, counted live as the rule changes.
        await admin.GotoAsync("/admin/segments");
        await Chromium.InteractiveAsync(admin);
        await Field(admin, "segment-builder-name").FillAsync(segmentName);
        await Field(admin, "segment-rule-value").FillAsync("200");
        await Field(admin, "segment-rule-value").PressAsync("Tab");
        await Expect(admin.GetByTestId("segment-builder-count")).ToContainTextAsync(new Regex(@"^[1-9]\d* customers match now"));
        await Chromium.ScreenshotAsync(admin, "campaign-01-segment-builder");
        await admin.GetByTestId("segment-builder-save").ClickAsync();
        var row = admin.Locator("tr", new() { Has = admin.GetByTestId("segment-name").Filter(new() { HasText = segmentName }) });
        // Saving counts the segment's members first: on a loaded machine that takes more than the default 5 s.
        await Expect(row).ToHaveCountAsync(1, new() { Timeout = 30_000 });

        // A campaign to it, from the segment's row.
        await row.GetByTestId("segment-campaign").ClickAsync();
        await Expect(admin).ToHaveURLAsync(new Regex("/admin/campaigns\\?segment="));
        await Chromium.InteractiveAsync(admin);
        await Field(admin, "campaign-editor-name").FillAsync("Thank you, big spenders");
        await Field(admin, "campaign-editor-subject").FillAsync("A thank-you from {{store.name}}");
        await Field(admin, "campaign-editor-body").FillAsync("Hello {{customer.firstName}},\n\nthank you for shopping with us. New arrivals: https://shop.example.test/new");
        await Field(admin, "campaign-editor-body").PressAsync("Tab");
        await admin.GetByTestId("campaign-editor-save").ClickAsync();
        await Expect(admin).ToHaveURLAsync(new Regex("/admin/campaigns/[0-9a-f-]{36}$"));
        var id = Guid.Parse(admin.Url[^36..]);
        await Expect(admin.GetByTestId("campaign-status")).ToHaveTextAsync("draft");
        await Expect(admin.GetByTestId("campaign-preview-subject")).ToContainTextAsync("A thank-you from");
        await Chromium.ScreenshotAsync(admin, "campaign-02-draft-with-preview");

        await Chromium.UntilAsync(() => admin.GetByTestId("campaign-send").ClickAsync(), async () => await admin.GetByTestId("campaign-status").InnerTextAsync() != "draft");
        await Expect(admin.GetByTestId("campaign-status")).ToHaveTextAsync("sent", new() { Timeout = 60_000 });
        int recipients;
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
            var campaign = await db.Set<Campaign>().AsNoTracking().SingleAsync(c => c.Id == id, ct);
            recipients = campaign.Recipients;
            Assert.True(recipients > 0, "the segment has consenting members");
            Assert.Equal(recipients, await db.Set<CampaignRecipient>().CountAsync(r => r.CampaignId == id, ct));
        }

        await Expect(admin.GetByTestId("campaign-sent")).ToHaveTextAsync(recipients.ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = 60_000 });
        await Chromium.ScreenshotAsync(admin, "campaign-03-sent-with-results");
        var emails = (await server.Smtp.WaitForAsync(recipients, TimeSpan.FromSeconds(60)))
            .Where(m => m.Subject?.StartsWith("A thank-you from", StringComparison.Ordinal) == true).ToList();
        Assert.Equal(recipients, emails.Count);
        Assert.Equal(recipients, emails.Select(m => m.To.Mailboxes.Single().Address).Distinct().Count());
        Assert.All(emails, m => Assert.Equal("List-Unsubscribe=One-Click", m.Headers["List-Unsubscribe-Post"]));
    }
}
