using System.Text.Json;
using Storekeep.Campaigns;
using Storekeep.Messaging;
using Storekeep.Orders;

namespace Storekeep.Demo;

internal sealed partial class DemoStoreBuilder
{
    /// <summary>
    /// One campaign sent three weeks ago to the "VIPs to email" segment in two subject-line
    /// variants, so the campaigns page shows results on first start: its recipients and their
    /// messages (marked sent), believable opens, clicks and an unsubscribe, and clicks just before
    /// some of the recipients' real orders, which the campaign's results then attribute to it.
    /// Drawn from its own random source, so the rest of the demo store is unchanged by it.
    /// </summary>
    private void BuildCampaigns()
    {
        var rng = new Random(_campaignSeed);
        var segment = _data.Segments.Single(s => s.Name == "VIPs to email");
        var vips = _data.CustomerTags.Where(t => t.Tag == "vip").Select(t => t.CustomerId).ToHashSet();
        var audience = _data.Customers.Where(c => vips.Contains(c.Id) && c.AcceptsEmail).OrderBy(c => c.Id).ToList();
        if (audience.Count == 0)
        {
            return;
        }

        var sentAt = _end.AddDays(-21).AddHours(10);
        const string Body = "Hello {{customer.firstName}},\n\nour autumn favourites are back in stock, and as one of our best customers you see them first: https://harborandpine.example/collections/autumn\n\nWarm regards,\nHarbor & Pine";
        List<CampaignVariant> variants =
        [
            new("control", "Autumn favourites are back", Body, 1),
            new("treatment", "{{customer.firstName}}, your autumn favourites are back", Body, 1),
        ];
        var campaign = new Campaign
        {
            Name = "Autumn favourites for VIPs",
            Channel = MessageChannels.Email,
            SegmentId = segment.Id,
            Subject = variants[0].Subject,
            Body = Body,
            Variants = JsonSerializer.Serialize(variants, new JsonSerializerOptions(JsonSerializerDefaults.Web)),
            Status = CampaignStatus.Sent,
            CreatedAt = sentAt.AddDays(-1),
            UpdatedAt = sentAt,
            StartedAt = sentAt,
            FinishedAt = sentAt.AddMinutes(2),
            Recipients = audience.Count,
            Dispatched = audience.Count,
        };
        _data.Campaigns.Add(campaign);

        var store = new CampaignStoreValues(_data.Settings.Name, _data.Settings.Address ?? "", "http://localhost:5000");
        foreach (var customer in audience)
        {
            var variant = Campaigns.Campaigns.Assign(campaign.Id, customer.Id, variants);
            var recipient = new CampaignRecipient
            {
                CampaignId = campaign.Id,
                CustomerId = customer.Id,
                VariantKey = variant,
                Address = customer.Email,
                Status = RecipientStatus.Queued,
                QueuedAt = sentAt,
            };

            // A recipient who ordered within the week after the email clicked a few hours before ordering.
            var order = _data.Orders.Where(o => o.CustomerId == customer.Id && o.Status != OrderStatus.Cancelled && o.CreatedAt > sentAt.AddHours(3) && o.CreatedAt < sentAt.AddDays(7))
                .OrderBy(o => o.CreatedAt).FirstOrDefault();
            var opened = order is not null || rng.NextDouble() < (variant == "treatment" ? 0.52 : 0.41);
            if (opened)
            {
                recipient.OpenedAt = sentAt.AddMinutes(rng.Next(5, 48 * 60));
            }

            if (order is not null)
            {
                recipient.ClickedAt = order.CreatedAt.AddHours(-rng.Next(1, 3));
                recipient.OpenedAt = recipient.ClickedAt < recipient.OpenedAt ? recipient.ClickedAt : recipient.OpenedAt;
            }
            else if (opened && rng.NextDouble() < 0.25)
            {
                recipient.ClickedAt = recipient.OpenedAt!.Value.AddMinutes(rng.Next(1, 30));
            }

            if (recipient.ClickedAt is null && opened && rng.NextDouble() < 0.03)
            {
                recipient.UnsubscribedAt = recipient.OpenedAt!.Value.AddMinutes(2);
                customer.SetEmailConsent(false, CampaignTracking.UnsubscribeSource, recipient.UnsubscribedAt.Value);
            }

            _data.CampaignRecipients.Add(recipient);
            var chosen = variants.Single(v => v.Key == variant);
            var rendered = CampaignRenderer.RenderEmail(chosen.Subject!, chosen.Body, new CampaignAudience(customer.FirstName, customer.LastName, customer.Email), store, recipient.Token);
            _data.Messages.Add(new Message
            {
                Id = recipient.Id,
                Channel = MessageChannels.Email,
                To = customer.Email,
                Type = MessageTypes.Campaign,
                Subject = rendered.Subject,
                HtmlBody = rendered.Html,
                TextBody = rendered.Text,
                Status = MessageStatus.Sent,
                Attempts = 1,
                NextAttemptAt = sentAt,
                CreatedAt = sentAt,
                SentAt = sentAt.AddSeconds(rng.Next(1, 120)),
                DedupeKey = $"campaign:{campaign.Id:N}:{customer.Id:N}",
                CampaignId = campaign.Id,
                UnsubscribeUrl = CampaignRenderer.UnsubscribeLink(store.PublicUrl, recipient.Token),
            });
        }
    }
}
