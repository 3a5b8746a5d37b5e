using Storekeep.Campaigns;

namespace Storekeep.Tests.Campaigns;

public sealed class CampaignRendererTests
{
    private static readonly CampaignStoreValues Store = new("Tea & Co", "1 Market St", "https://shop.test");
    private const string Token = "0123456789abcdef0123456789abcdef";

    [Fact]
    public void Links_are_numbered_over_the_whole_body_and_trailing_punctuation_stays_outside()
    {
        const string Body = "First https://a.test/x, then\n\nsecond (https://b.test/y?q=1&r=2).";
        Assert.Equal(["https://a.test/x", "https://b.test/y?q=1&r=2"], CampaignRenderer.LinksIn(Body));
        var email = CampaignRenderer.RenderEmail("S", Body, new CampaignAudience("Ada", null, "ada@test"), Store, Token);
        Assert.Contains("First https://shop.test/m/c/" + Token + "/0, then", email.Text, StringComparison.Ordinal);
        Assert.Contains("second (https://shop.test/m/c/" + Token + "/1).", email.Text, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://shop.test/m/c/" + Token + "/1\">https://b.test/y?q=1&amp;r=2</a>", email.Html, StringComparison.Ordinal);
        Assert.Equal(2, email.Html.Split("<p>").Length - 1); // two paragraphs (the footer's is styled)
    }

    [Fact]
    public void Names_are_encoded_in_html_and_every_email_has_the_footer_pixel_and_unsubscribe_link()
    {
        var email = CampaignRenderer.RenderEmail("Hi {{customer.firstName}}", "Dear {{customer.firstName}}\nbye", new CampaignAudience("<script>", null, "x@test"), Store, Token);
        Assert.Equal("Hi <script>", email.Subject);
        Assert.Contains("Dear &lt;script&gt;<br>bye", email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", email.Html, StringComparison.Ordinal);
        Assert.Contains("agreed to hear from Tea &amp; Co", email.Html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://shop.test/m/u/" + Token + "\">Unsubscribe</a>", email.Html, StringComparison.Ordinal);
        Assert.Contains("<img src=\"https://shop.test/m/o/" + Token + "\"", email.Html, StringComparison.Ordinal);
        Assert.EndsWith("Unsubscribe: https://shop.test/m/u/" + Token + "\n1 Market St", email.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("+1 (415) 555-0100", "+14155550100")]
    [InlineData("+44 20 7946 0958", "+442079460958")]
    [InlineData("415 555 0100", null)]
    [InlineData("+0 415", null)]
    [InlineData("+1 415 555 0100 ext 2", null)]
    public void Phone_numbers_are_taken_in_international_form_only(string written, string? expected) =>
        Assert.Equal(expected, Storekeep.Campaigns.Campaigns.PhoneNumber(written));

    [Theory]
    [InlineData("(415) 555-0100", "US", "+14155550100")]
    [InlineData("020 7946 0958", "GB", "+442079460958")]
    [InlineData("030 901820", "DE", "+4930901820")]
    [InlineData("+44 20 7946 0958", "US", "+442079460958")]
    [InlineData("020 7946 0958", "US", null)]
    [InlineData("415 555 0100 ext 2", "US", null)]
    [InlineData("415 555 0100", null, null)]
    public void A_number_as_dialled_in_its_country_becomes_international(string written, string? country, string? expected) =>
        Assert.Equal(expected, Storekeep.Customers.Phones.E164(written, country));

    [Fact]
    public void Variant_assignment_follows_the_weights_and_is_stable()
    {
        var campaign = Guid.NewGuid();
        IReadOnlyList<CampaignVariant> variants = [new("a", null, "", 1), new("b", null, "", 3)];
        var customers = Enumerable.Range(0, 4000).Select(_ => Guid.NewGuid()).ToList();
        var assigned = customers.Select(c => Storekeep.Campaigns.Campaigns.Assign(campaign, c, variants)).ToList();
        Assert.Equal(assigned, customers.Select(c => Storekeep.Campaigns.Campaigns.Assign(campaign, c, variants)));
        var shareA = assigned.Count(k => k == "a") / 4000.0;
        Assert.InRange(shareA, 0.22, 0.28); // 1 in 4 expected; ±3 pp is over 4 standard deviations
    }
}
