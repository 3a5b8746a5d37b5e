using System.Net;
using Storekeep.Access;
using Storekeep.Messaging;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Messaging;

public sealed class MessagingPagesTests
{
    [Fact]
    public async Task The_back_office_lists_messages_for_support_and_previews_templates_for_marketing()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: new Dictionary<string, string?> { ["Email:Deliverer"] = "false" });
        await store.QueueAsync((MessageTypes.AccountVerification, "grace@example.com", MessageTestData.Link("Grace")));

        var support = await store.SignedInStaffAsync(Role.Support);
        var log = await support.GetPageAsync("/admin/messages");
        Assert.Contains("grace@example.com", log, StringComparison.Ordinal);
        Assert.Contains("Confirm your email address for Storekeep Demo Store", log, StringComparison.Ordinal);
        Assert.Contains("No SMTP server is configured", log, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"message-retry\"", log, StringComparison.Ordinal);
        await support.GetPageAsync("/admin/messages/templates", HttpStatusCode.Forbidden);

        var marketing = await store.SignedInStaffAsync(Role.Marketing);
        Assert.Contains("data-testid=\"message-retry\"", await marketing.GetPageAsync("/admin/messages"), StringComparison.Ordinal);
        var templates = await marketing.GetPageAsync("/admin/messages/templates");
        Assert.Contains("Order #1001 confirmed", templates, StringComparison.Ordinal);
        Assert.Contains("{{order.total}}", templates, StringComparison.Ordinal);
    }
}
