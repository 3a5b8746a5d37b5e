using Storekeep.Pricing;

namespace Storekeep.Tests.Pricing;

public sealed class PricingTests
{
    /// <summary>Thousands of random carts: every total is the sum of its rounded parts, to the cent.</summary>
    [Fact]
    public void Totals_equal_the_sum_of_their_parts_to_the_cent_for_random_carts()
    {
        var random = new Random(20261123);
        for (var run = 0; run < 5000; run++)
        {
            var lines = Enumerable.Range(0, random.Next(1, 8))
                .Select(i => ($"SKU-{i}", random.Next(1, 1_000_000) / 100m, random.Next(1, 50)))
                .ToList();
            var rate = random.Next(0, 300_000) / 10_000m; // 0–30 % with four decimals
            var inclusive = random.Next(2) == 0;
            var shipping = random.Next(3) == 0 ? null : new ShippingMethod { Code = "s", Name = "S", Rate = random.Next(0, 5000) / 100m, FreeOver = random.Next(2) == 0 ? 100m : null };

            var totals = PriceCalculator.Calculate(lines, shipping, rate, inclusive);

            Assert.Equal(totals.Lines.Sum(l => l.LineTotal), totals.Subtotal);
            Assert.Equal(totals.Lines.Sum(l => l.TaxAmount), totals.TaxTotal);
            Assert.Equal(totals.Subtotal + totals.ShippingTotal + (inclusive ? 0 : totals.TaxTotal), totals.Total);
            Assert.All(totals.Lines, l =>
            {
                Assert.Equal(decimal.Round(l.TaxAmount, 2), l.TaxAmount);
                Assert.Equal(l.UnitPrice * l.Quantity, l.LineTotal);
                Assert.InRange(l.TaxAmount, 0, l.LineTotal);
            });
            Assert.Equal(decimal.Round(totals.Total, 2), totals.Total);
        }
    }

    [Theory]
    [InlineData(10.00, 8.875, false, 0.89)] // 0.8875 → 0.89 (half away from zero)
    [InlineData(0.20, 2.5, false, 0.01)] // 0.005 → 0.01, not banker's 0.00
    [InlineData(119.00, 19, true, 19.00)] // 119 / 1.19 = 100 → tax 19.00
    [InlineData(99.99, 19, true, 15.96)] // 99.99 / 1.19 = 84.025… → 84.03 → tax 15.96
    public void Line_tax_rounds_half_away_from_zero(decimal lineTotal, decimal rate, bool inclusive, decimal expectedTax)
    {
        var totals = PriceCalculator.Calculate([("A", lineTotal, 1)], null, rate, inclusive);

        Assert.Equal(expectedTax, totals.TaxTotal);
    }

    [Fact]
    public void Free_shipping_starts_exactly_at_the_threshold()
    {
        var method = new ShippingMethod { Code = "std", Name = "Standard", Rate = 5.99m, FreeOver = 100m };

        Assert.Equal(5.99m, PriceCalculator.ShippingFor(method, 99.99m));
        Assert.Equal(0m, PriceCalculator.ShippingFor(method, 100m));
    }

    [Fact]
    public void A_region_rate_wins_over_the_country_rate()
    {
        TaxRate[] rates =
        [
            new() { Country = "US", Name = "US", Rate = 0m },
            new() { Country = "US", Region = "NY", Name = "NY", Rate = 8.875m },
        ];

        Assert.Equal(8.875m, PriceCalculator.TaxRateFor(rates, "US", "NY"));
        Assert.Equal(0m, PriceCalculator.TaxRateFor(rates, "US", "OR"));
        Assert.Equal(0m, PriceCalculator.TaxRateFor(rates, "FR", null));
    }
}

public sealed class CardNumberTests
{
    [Theory]
    [InlineData("4242 4242 4242 4242", true)]
    [InlineData("4111-1111-1111-1111", true)]
    [InlineData("card: 5555555555554444 exp 12/30", true)]
    [InlineData("4242 4242 4242 4241", false)] // fails Luhn
    [InlineData("order 1042, phone 0123 456 789", false)]
    [InlineData("12345678-1234-5678-1234-567812345678", false)] // a GUID that is all digits
    [InlineData("tok_visa", false)]
    [InlineData("2223003122003222", true)] // Mastercard's 2-series
    [InlineData("378282246310005", true)] // Amex
    [InlineData("Applying migration '20261130214152_Initial'", false)] // a Luhn-valid timestamp, not a card
    [InlineData("reference 1234567812345670", false)] // Luhn-valid, but no card issuer starts with 1
    [InlineData("card:4242424242424242;", true)]
    [InlineData("hash ab4242424242424242cd", false)] // a digit run inside a hex value
    public void Card_numbers_are_found_and_guids_are_not(string text, bool expected) =>
        Assert.Equal(expected, Storekeep.Payments.CardNumbers.ContainsCardNumber(text));
}
