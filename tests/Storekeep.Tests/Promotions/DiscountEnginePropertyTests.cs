using FsCheck;
using FsCheck.Fluent;
using Storekeep.Promotions;

namespace Storekeep.Tests.Promotions;

/// <summary>
/// The engine's invariants over random carts and discount sets (FsCheck). Each property runs a few
/// hundred random scenarios; a failure prints the scenario and the seed that replays it.
/// </summary>
public sealed class DiscountEnginePropertyTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(400).WithQuietOnSuccess(true);

    [Fact]
    public void Allocations_add_up_to_every_discount_exactly() =>
        Prop.ForAll(PromotionScenarios.Arbitrary, scenario =>
        {
            var result = DiscountEngine.Apply(scenario.Request);
            var allocations = result.Lines.SelectMany(l => l.Allocations).Concat(result.ShippingAllocations).ToList();
            foreach (var applied in result.Applied)
            {
                Assert.Equal(applied.Amount, allocations.Where(a => a.DiscountId == applied.DiscountId).Sum(a => a.Amount));
            }

            Assert.All(allocations, a => Assert.Contains(result.Applied, d => d.DiscountId == a.DiscountId));
            Assert.All(result.Lines, l => Assert.Equal(l.DiscountTotal, l.Allocations.Sum(a => a.Amount)));
            Assert.Equal(result.LineDiscountTotal, result.Lines.Sum(l => l.DiscountTotal));
            Assert.Equal(result.ShippingDiscount, result.ShippingAllocations.Sum(a => a.Amount));
            Assert.Equal(result.DiscountTotal, result.Applied.Sum(d => d.Amount));
            Assert.Equal(result.DiscountTotal, result.LineDiscountTotal + result.ShippingDiscount);
        }).Check(Runs);

    [Fact]
    public void A_single_amount_or_percentage_discount_is_allocated_to_the_minor_unit_it_promises() =>
        Prop.ForAll(PromotionScenarios.Arbitrary, scenario =>
        {
            var lines = scenario.Cart.Lines;
            foreach (var candidate in scenario.Discounts.Where(d => d.Type is DiscountType.Percentage or DiscountType.FixedAmount))
            {
                // Alone, automatic and without conditions: what it takes is fixed by the contract.
                var discount = candidate with { Code = null, Status = DiscountStatus.Active, MinimumSubtotal = null, MinimumQuantity = null, RemainingUses = null, Customers = CustomerEligibility.Everyone };
                var result = DiscountEngine.Apply(new PromotionRequest(scenario.Cart, [discount], [], PromotionScenario.Now));
                var eligible = lines.Where(discount.AppliesTo.Matches).ToList();
                var expected = (discount.Type, discount.Class) switch
                {
                    (DiscountType.FixedAmount, _) => Math.Min(discount.AmountOff, eligible.Sum(l => l.Subtotal)),
                    (_, DiscountClass.Order) => MinorUnitMath.Percent(eligible.Sum(l => l.Subtotal), discount.PercentOff),
                    _ => eligible.Sum(l => MinorUnitMath.Percent(l.Subtotal, discount.PercentOff)),
                };
                var allocated = result.Lines.SelectMany(l => l.Allocations).Where(a => a.DiscountId == discount.Id).Sum(a => a.Amount);
                Assert.Equal(eligible.Count == 0 ? 0 : expected, allocated);
            }
        }).Check(Runs);

    [Fact]
    public void Totals_are_subtotal_less_discounts_plus_shipping_plus_tax_to_the_cent() =>
        Prop.ForAll(PromotionScenarios.Arbitrary, scenario =>
        {
            var result = DiscountEngine.Apply(scenario.Request);
            var taxed = PromotionTax.Apply(result, scenario.TaxRate, scenario.PricesIncludeTax);

            Assert.Equal(scenario.Cart.Lines.Sum(l => l.UnitPrice * l.Quantity), result.Subtotal);
            Assert.Equal(result.Subtotal - result.LineDiscountTotal, result.Lines.Sum(l => l.LineTotal));
            Assert.Equal(result.Subtotal - result.DiscountTotal + result.ShippingTotal, result.TotalBeforeTax);
            Assert.Equal(result.Lines.Sum(l => l.LineTotal) + result.ShippingCharged, result.TotalBeforeTax);
            Assert.Equal(taxed.Lines.Sum(l => l.Tax), taxed.TaxTotal);
            Assert.Equal(result.Subtotal - result.DiscountTotal + result.ShippingTotal + (scenario.PricesIncludeTax ? 0 : taxed.TaxTotal), taxed.Total);
            // Tax is on the discounted amounts, line by line.
            Assert.All(taxed.Lines.Zip(result.Lines), pair =>
            {
                Assert.Equal(pair.Second.LineTotal, pair.First.Taxable);
                Assert.InRange(pair.First.Tax, 0, scenario.PricesIncludeTax ? pair.First.Taxable : long.MaxValue);
            });
        }).Check(Runs);

    [Fact]
    public void Refunding_every_unit_in_random_steps_returns_exactly_what_was_captured() =>
        Prop.ForAll(PromotionScenarios.Arbitrary, scenario =>
        {
            var result = DiscountEngine.Apply(scenario.Request);
            var taxed = PromotionTax.Apply(result, scenario.TaxRate, scenario.PricesIncludeTax);
            var captured = LineRefunds.Capture(result, taxed).ToList();
            var random = new Random(scenario.Seed);
            long net = 0, tax = 0;
            while (captured.Any(l => l.RefundableQuantity > 0))
            {
                // One refund: a few lines, by id or by SKU, each a random part of what is left.
                var open = captured.Where(l => l.RefundableQuantity > 0).ToList();
                var picked = open.OrderBy(_ => random.Next()).Take(random.Next(1, open.Count + 1)).ToList();
                var requests = picked.Select(l =>
                {
                    var units = random.Next(1, l.RefundableQuantity + 1);
                    return random.Next(2) == 0 || captured.Count(c => c.Sku == l.Sku) > 1
                        ? new RefundLineRequest(l.LineId, null, units)
                        : new RefundLineRequest(null, l.Sku, units);
                }).ToList();
                var quote = LineRefunds.Quote(captured, requests);
                Assert.Equal(quote.NetAmount + quote.Tax, quote.Total);
                net += quote.NetAmount;
                tax += quote.Tax;
                captured = captured.Select(l => l with
                {
                    RefundedQuantity = l.RefundedQuantity + quote.Lines.Where(r => r.LineId == l.LineId).Sum(r => r.Quantity),
                }).ToList();
            }

            Assert.Equal(captured.Sum(l => l.NetAmount), net);
            Assert.Equal(taxed.TaxTotal, tax);
            var lineTotals = result.Lines.Sum(l => l.LineTotal);
            Assert.Equal(scenario.PricesIncludeTax ? lineTotals : lineTotals + taxed.TaxTotal, net + tax);
        }).Check(Runs);

    [Fact]
    public void No_line_ever_goes_below_zero_and_no_discount_exceeds_what_it_may_take() =>
        Prop.ForAll(PromotionScenarios.Arbitrary, scenario =>
        {
            var result = DiscountEngine.Apply(scenario.Request);
            var lines = scenario.Cart.Lines;
            Assert.All(result.Lines, l =>
            {
                Assert.InRange(l.LineTotal, 0, l.Subtotal);
                Assert.All(l.Allocations, a => Assert.True(a.Amount > 0));
            });
            Assert.InRange(result.ShippingDiscount, 0, scenario.Cart.Shipping);
            foreach (var applied in result.Applied)
            {
                var discount = scenario.Discounts.Single(d => d.Id == applied.DiscountId);
                var target = discount.Type == DiscountType.BuyXGetY ? discount.Get!.Items : discount.AppliesTo;
                if (discount.Class != DiscountClass.Shipping)
                {
                    // Only lines the discount concerns carry its allocations, and never more than they cost.
                    var touched = result.Lines.Where((l, i) => l.Allocations.Any(a => a.DiscountId == discount.Id)).Select(l => lines.Single(c => c.LineId == l.LineId));
                    Assert.All(touched, l => Assert.True(target.Matches(l)));
                    Assert.InRange(applied.Amount, 0, lines.Where(target.Matches).Sum(l => l.Subtotal));
                }

                if (discount.Type == DiscountType.FixedAmount)
                {
                    Assert.InRange(applied.Amount, 0, discount.AmountOff);
                }
                else if (discount.Type == DiscountType.Percentage)
                {
                    Assert.InRange(applied.Amount, 0, MinorUnitMath.Percent(lines.Where(discount.AppliesTo.Matches).Sum(l => l.Subtotal), discount.PercentOff) + lines.Count);
                }
            }
        }).Check(Runs);

    [Fact]
    public void The_chosen_discounts_never_save_less_than_any_single_candidate_alone() =>
        Prop.ForAll(PromotionScenarios.Arbitrary, scenario =>
        {
            var result = DiscountEngine.Apply(scenario.Request);
            foreach (var candidate in scenario.Discounts)
            {
                var alone = DiscountEngine.SavingAlone(candidate, scenario.Cart, PromotionScenario.Now);
                Assert.True(result.DiscountTotal >= alone, $"{candidate.Title} alone saves {alone}, the chosen set {result.DiscountTotal}");
            }

            // What applied is pairwise combinable; every entered code either applied or has a reason.
            var applied = result.Applied.Select(a => scenario.Discounts.Single(d => d.Id == a.DiscountId)).ToList();
            Assert.All(applied, a => Assert.All(applied.Where(b => b.Id != a.Id), b => Assert.True(a.CombinesWithDiscount(b))));
            foreach (var code in scenario.Codes)
            {
                var applies = result.Applied.Any(a => a.Code == code);
                var rejected = result.Rejected.Count(r => r.Code == code);
                Assert.Equal(applies ? 0 : 1, rejected);
            }
        }).Check(Runs);

    [Fact]
    public void The_same_request_always_gives_the_same_result() =>
        Prop.ForAll(PromotionScenarios.Arbitrary, scenario =>
        {
            var first = DiscountEngine.Apply(scenario.Request);
            var reversed = DiscountEngine.Apply(scenario.Request with { Candidates = [.. scenario.Discounts.Reverse()] });
            Assert.Equal(Describe(first), Describe(reversed));
        }).Check(Runs);

    [Fact]
    public void Largest_remainder_allocation_is_exact_and_within_one_minor_unit_of_proportional() =>
        Prop.ForAll(Arb.From(Gen.Choose(0, 1_000_000).ListOf().Where(w => w.Count > 0).SelectMany(w => Gen.Choose(0, w.Sum()).Select(t => (Weights: w, Total: t)))), input =>
        {
            var weights = input.Weights.Select(w => (long)w).ToList();
            var parts = MinorUnitMath.Allocate(input.Total, weights);
            Assert.Equal(input.Total, parts.Sum());
            var sum = weights.Sum();
            for (var i = 0; i < parts.Length; i++)
            {
                Assert.InRange(parts[i], 0, weights[i]);
                var exact = (decimal)input.Total * weights[i] / sum;
                Assert.True(Math.Abs(parts[i] - exact) < 1m, $"part {parts[i]} vs exact {exact}");
            }
        }).Check(Runs);

    private static string Describe(PromotionResult r) =>
        string.Join("|", r.Lines.Select(l => $"{l.LineId}:{l.LineTotal}:{string.Join(",", l.Allocations)}"))
        + $"|{r.ShippingDiscount}|{string.Join(",", r.Applied.Select(a => a.DiscountId))}|{string.Join(",", r.Rejected)}";
}
