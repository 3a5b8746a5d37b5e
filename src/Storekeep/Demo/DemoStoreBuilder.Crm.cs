using System.Text.Json;
using Storekeep.Customers;
using Storekeep.Segments;

namespace Storekeep.Demo;

internal sealed partial class DemoStoreBuilder
{
    /// <summary>
    /// What staff would have added to the customers: tags (the most loyal are "vip", companies
    /// "wholesale", a few "press"), marketing consent given at checkout by most, and three saved
    /// segments, so the customer pages and the Segments page show something on first start.
    /// </summary>
    private void BuildCrm()
    {
        // Its own random source, so the rest of the demo history stays as it was.
        var rng = new Random(_customers.Count);
        var byLoyalty = _customers.OrderByDescending(c => c.Loyalty).ToList();
        var vip = byLoyalty.Take(Math.Max(1, byLoyalty.Count / 20)).Select(c => c.Customer.Id).ToHashSet();
        foreach (var (customer, _, _) in _customers)
        {
            if (vip.Contains(customer.Id))
            {
                _data.CustomerTags.Add(new CustomerTag { CustomerId = customer.Id, Tag = "vip" });
            }

            if (customer.Company is not null)
            {
                _data.CustomerTags.Add(new CustomerTag { CustomerId = customer.Id, Tag = "wholesale" });
            }

            if (rng.NextDouble() < 0.03)
            {
                _data.CustomerTags.Add(new CustomerTag { CustomerId = customer.Id, Tag = "press" });
            }

            if (rng.NextDouble() < 0.6)
            {
                customer.SetEmailConsent(true, "checkout", customer.CreatedAt);
            }

            if (rng.NextDouble() < 0.2)
            {
                customer.SetSmsConsent(true, "checkout", customer.CreatedAt);
            }
        }

        Segment Saved(string name, string match, params SegmentRuleView[] rules) => new()
        {
            Name = name,
            Match = match,
            Rules = JsonSerializer.Serialize(rules, SegmentJson),
            CreatedAt = _end,
            UpdatedAt = _end,
        };

        _data.Segments.Add(Saved("Champions", "all", Rule("rfmSegment", "eq", "champions")));
        _data.Segments.Add(Saved("Lapsed big spenders", "all", Rule("totalSpent", "gte", 500), Rule("lastOrderDaysAgo", "gt", 180)));
        _data.Segments.Add(Saved("VIPs to email", "all", Rule("tag", "eq", "vip"), Rule("acceptsEmail", "eq", true)));
    }

    private static readonly JsonSerializerOptions SegmentJson = new(JsonSerializerDefaults.Web);

    private static SegmentRuleView Rule(string field, string op, object value) => new(field, op, JsonSerializer.SerializeToElement(value));
}
