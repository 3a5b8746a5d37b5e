namespace Storekeep.Promotions;

/// <summary>
/// Prices a cart's discounts: pure and deterministic (same request, same result), in minor units.
/// The rules are in docs/promotions.md: which candidates are eligible, which set of them applies
/// (the best single discount unless both sides allow combining), and the fixed order product
/// discounts → order discounts → shipping. Tax comes afterwards (<see cref="PromotionTax"/>).
/// </summary>
public static class DiscountEngine
{
    /// <summary>Above this many eligible discounts, the best set is found greedily instead of by trying every compatible set.</summary>
    public const int ExhaustiveSearchLimit = 14;

    public static PromotionResult Apply(PromotionRequest request)
    {
        Validate(request);
        var cart = request.Cart;
        var rejected = new List<RejectedCode>();
        var considered = new List<Discount>(request.Candidates.Where(d => d.IsAutomatic));
        var entered = new Dictionary<Guid, string>();
        foreach (var code in request.EnteredCodes.Select(c => c.Trim()).Where(c => c.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var discount = request.Candidates.Where(d => d.Code is not null && string.Equals(d.Code.Trim(), code, StringComparison.OrdinalIgnoreCase))
                .OrderBy(d => d.Id).FirstOrDefault();
            if (discount is null)
            {
                rejected.Add(new RejectedCode(code, DiscountRejection.CodeUnknown));
            }
            else if (entered.TryAdd(discount.Id, code))
            {
                considered.Add(discount);
            }
        }

        var eligible = new List<Discount>();
        foreach (var discount in considered.DistinctBy(d => d.Id).OrderBy(d => d.Id))
        {
            var refusal = Eligibility(discount, cart, request.Now);
            if (refusal is null)
            {
                eligible.Add(discount);
            }
            else if (entered.TryGetValue(discount.Id, out var code))
            {
                rejected.Add(new RejectedCode(code, refusal.Value));
            }
        }

        var chosen = ChooseBest(eligible, cart);
        foreach (var discount in eligible.Where(d => !chosen.Any(c => c.Id == d.Id) && entered.ContainsKey(d.Id)))
        {
            rejected.Add(new RejectedCode(entered[discount.Id], DiscountRejection.NotCombinable));
        }

        // Reasons in the order the codes were entered, so the shopper reads them as typed.
        var enteredOrder = request.EnteredCodes.Select(c => c.Trim()).ToList();
        var reasons = rejected.OrderBy(r => enteredOrder.FindIndex(c => string.Equals(c, r.Code, StringComparison.OrdinalIgnoreCase))).ToList();
        return Compute(cart, chosen) with { Rejected = reasons };
    }

    /// <summary>What one discount alone would save on the cart (zero when it is not eligible), for previews and tests.</summary>
    public static long SavingAlone(Discount discount, PromotionCart cart, DateTime now) =>
        Eligibility(discount, cart, now) is null ? Compute(cart, [discount]).DiscountTotal : 0;

    /// <summary>Null when the discount can apply to this cart; otherwise the reason it cannot.</summary>
    public static DiscountRejection? Eligibility(Discount discount, PromotionCart cart, DateTime now)
    {
        if (discount.Status != DiscountStatus.Active || discount.StartsAt > now || discount.EndsAt <= now)
        {
            return DiscountRejection.NotActive;
        }

        // A code limited to other customers reads as unknown: the shopper is not told it exists.
        if (!discount.Customers.Allows(cart.Customer))
        {
            return DiscountRejection.CodeUnknown;
        }

        if (discount.RemainingUses <= 0 || discount.RemainingUsesForCustomer <= 0)
        {
            return DiscountRejection.UsageLimitReached;
        }

        // Minimums are measured on the lines the discount concerns, before any discount, so the
        // answer does not depend on which other discounts are applied.
        var lines = cart.Lines.Where(discount.AppliesTo.Matches).ToList();
        if (discount.MinimumSubtotal is { } minimum && lines.Sum(l => l.Subtotal) < minimum
            || discount.MinimumQuantity is { } quantity && lines.Sum(l => (long)l.Quantity) < quantity)
        {
            return DiscountRejection.MinimumNotMet;
        }

        var applies = discount.Type switch
        {
            DiscountType.FreeShipping => true, // shipping may be chosen later; a free-shipping code stays on the cart
            DiscountType.BuyXGetY => BuyXGetYUnits(discount, cart.Lines).Any(n => n > 0),
            _ => lines.Count > 0,
        };
        return applies ? null : DiscountRejection.MinimumNotMet;
    }

    /// <summary>
    /// The set of eligible discounts that saves the shopper most, among sets whose members all
    /// combine with each other. Ties: more discounts, then the smaller ids in order.
    /// </summary>
    private static List<Discount> ChooseBest(List<Discount> eligible, PromotionCart cart)
    {
        if (eligible.Count > ExhaustiveSearchLimit)
        {
            return ChooseGreedily(eligible, cart);
        }

        List<Discount> best = [];
        long bestSaving = 0;
        void Consider(List<Discount> set)
        {
            var saving = Compute(cart, set).DiscountTotal;
            if (saving > bestSaving || saving == bestSaving && IsPreferred(set, best))
            {
                best = [.. set];
                bestSaving = saving;
            }
        }

        void Extend(int next, List<Discount> set)
        {
            for (var i = next; i < eligible.Count; i++)
            {
                if (set.All(eligible[i].CombinesWithDiscount))
                {
                    set.Add(eligible[i]);
                    Consider(set);
                    Extend(i + 1, set);
                    set.RemoveAt(set.Count - 1);
                }
            }
        }

        Extend(0, []);
        return best;
    }

    /// <summary>Many automatic discounts: start from the best single one and add each next best that combines with all chosen.</summary>
    private static List<Discount> ChooseGreedily(List<Discount> eligible, PromotionCart cart)
    {
        var ranked = eligible.Select(d => (Discount: d, Saving: Compute(cart, [d]).DiscountTotal))
            .OrderByDescending(x => x.Saving).ThenBy(x => x.Discount.Id).Select(x => x.Discount);
        var chosen = new List<Discount>();
        foreach (var discount in ranked.Where(d => chosen.All(d.CombinesWithDiscount)))
        {
            chosen.Add(discount);
        }

        return chosen;
    }

    private static bool IsPreferred(List<Discount> candidate, List<Discount> current)
    {
        if (candidate.Count != current.Count)
        {
            return candidate.Count > current.Count;
        }

        for (var i = 0; i < candidate.Count; i++)
        {
            var compared = candidate[i].Id.CompareTo(current[i].Id);
            if (compared != 0)
            {
                return compared < 0;
            }
        }

        return false;
    }

    /// <summary>Applies the chosen discounts in the fixed order to the cart.</summary>
    private static PromotionResult Compute(PromotionCart cart, IReadOnlyList<Discount> chosen)
    {
        var lines = cart.Lines;
        var remaining = lines.Select(l => l.Subtotal).ToArray();
        var allocations = lines.Select(_ => new List<DiscountAllocation>()).ToArray();
        var applied = new List<AppliedDiscount>();

        void Take(Discount discount, long[] amounts)
        {
            for (var i = 0; i < amounts.Length; i++)
            {
                // Capped here once for every kind of discount: no line ever goes below zero.
                var amount = Math.Min(amounts[i], remaining[i]);
                if (amount > 0)
                {
                    remaining[i] -= amount;
                    allocations[i].Add(new DiscountAllocation(discount.Id, amount));
                }
            }
        }

        // Product discounts first (buy X get Y, then percentages, then fixed amounts), then order
        // discounts: each works on what the ones before it left.
        var ordered = chosen.Where(d => d.Class != DiscountClass.Shipping)
            .OrderBy(d => d.Class).ThenBy(d => d.Type switch { DiscountType.BuyXGetY => 0, DiscountType.Percentage => 1, _ => 2 }).ThenBy(d => d.Id);
        foreach (var discount in ordered)
        {
            var before = remaining.Sum();
            Take(discount, Amounts(discount, lines, remaining));
            applied.Add(Applied(discount, before - remaining.Sum()));
        }

        var shippingAllocations = new List<DiscountAllocation>();
        var shippingLeft = cart.Shipping;
        foreach (var discount in chosen.Where(d => d.Class == DiscountClass.Shipping).OrderBy(d => d.Id))
        {
            if (shippingLeft > 0)
            {
                shippingAllocations.Add(new DiscountAllocation(discount.Id, shippingLeft));
            }

            applied.Add(Applied(discount, shippingLeft));
            shippingLeft = 0;
        }

        var discounted = lines.Select((l, i) => new DiscountedLine(
            l.LineId, l.Sku, l.UnitPrice, l.Quantity, l.CompareAtPrice, l.Subtotal, allocations[i], l.Subtotal - remaining[i], remaining[i])).ToList();
        var subtotal = discounted.Sum(l => l.Subtotal);
        var lineDiscounts = discounted.Sum(l => l.DiscountTotal);
        var shippingDiscount = cart.Shipping - shippingLeft;
        var discountTotal = lineDiscounts + shippingDiscount;
        return new PromotionResult(
            discounted, subtotal, lineDiscounts, cart.Shipping, shippingAllocations, shippingDiscount, discountTotal,
            subtotal - discountTotal + cart.Shipping, applied, []);
    }

    private static AppliedDiscount Applied(Discount d, long amount) => new(d.Id, d.Title, d.Code, d.Type, d.Class, amount);

    /// <summary>What a product or order discount takes from each line, before the cap at the line's remaining amount.</summary>
    private static long[] Amounts(Discount discount, IReadOnlyList<PromotionLine> lines, long[] remaining)
    {
        var eligible = lines.Select((l, i) => discount.AppliesTo.Matches(l) ? remaining[i] : 0).ToArray();
        switch (discount.Type)
        {
            case DiscountType.BuyXGetY:
                // The units that get the discount are priced at their unit price, rounded per line.
                var units = BuyXGetYUnits(discount, lines);
                return lines.Select((l, i) => units[i] == 0 ? 0 : MinorUnitMath.Percent(checked(l.UnitPrice * units[i]), discount.Get!.PercentOff)).ToArray();
            case DiscountType.Percentage when discount.Class == DiscountClass.Product:
                // The contract's rule: a percentage off a line is rounded per line (25 % of 19.99 → 5.00).
                return eligible.Select(amount => MinorUnitMath.Percent(amount, discount.PercentOff)).ToArray();
            case DiscountType.Percentage:
                // An order percentage is taken off the order's amount once, then spread over the lines,
                // so the shopper sees exactly that percentage of the order.
                return MinorUnitMath.Allocate(MinorUnitMath.Percent(eligible.Sum(), discount.PercentOff), eligible);
            default:
                // A fixed amount is off the eligible lines together, capped at what they still cost.
                return MinorUnitMath.Allocate(Math.Min(discount.AmountOff, eligible.Sum()), eligible);
        }
    }

    /// <summary>
    /// For each line, how many of its units get the buy X get Y discount. Each use takes the
    /// dearest <c>buy</c> units still free (the shopper pays for those), then the cheapest
    /// <c>get</c> units still free; a unit counts once. Ties go to the earlier line.
    /// </summary>
    public static int[] BuyXGetYUnits(Discount discount, IReadOnlyList<PromotionLine> lines)
    {
        var got = new int[lines.Count];
        if (discount.Buy is not { } buy || discount.Get is not { } get)
        {
            return got;
        }

        var left = lines.Select(l => (long)l.Quantity).ToArray();
        var buyOrder = Enumerable.Range(0, lines.Count).Where(i => buy.Items.Matches(lines[i]))
            .OrderByDescending(i => lines[i].UnitPrice).ThenBy(i => i).ToList();
        var getOrder = Enumerable.Range(0, lines.Count).Where(i => get.Items.Matches(lines[i]))
            .OrderBy(i => lines[i].UnitPrice).ThenBy(i => i).ToList();
        while (true)
        {
            var trial = (long[])left.Clone();
            if (!TakeUnits(buyOrder, trial, buy.Quantity, null) || !TakeUnits(getOrder, trial, get.Quantity, null))
            {
                return got;
            }

            TakeUnits(buyOrder, left, buy.Quantity, null);
            TakeUnits(getOrder, left, get.Quantity, got);
        }
    }

    private static bool TakeUnits(List<int> order, long[] left, int quantity, int[]? taken)
    {
        long needed = quantity;
        foreach (var i in order)
        {
            var take = Math.Min(needed, left[i]);
            left[i] -= take;
            needed -= take;
            if (taken is not null)
            {
                taken[i] += (int)take;
            }

            if (needed == 0)
            {
                return true;
            }
        }

        return false;
    }

    private static void Validate(PromotionRequest request)
    {
        var cart = request.Cart;
        if (cart.Shipping < 0 || cart.Lines.Any(l => l.UnitPrice < 0 || l.Quantity <= 0))
        {
            throw new ArgumentException("Prices and shipping must not be negative, and every line needs at least one unit.", nameof(request));
        }

        if (cart.Lines.Select(l => l.LineId).Distinct(StringComparer.Ordinal).Count() != cart.Lines.Count)
        {
            throw new ArgumentException("Line ids must be unique.", nameof(request));
        }

        foreach (var d in request.Candidates)
        {
            var valid = d.Type switch
            {
                DiscountType.Percentage => d.PercentOff is >= 0 and <= 100,
                DiscountType.FixedAmount => d.AmountOff >= 0,
                DiscountType.BuyXGetY => d.Buy is { Quantity: > 0 } && d.Get is { Quantity: > 0, PercentOff: >= 0 and <= 100 },
                _ => true,
            };
            if (!valid)
            {
                throw new ArgumentException($"Discount {d.Id} ({d.Title}) is not a valid {d.Type} discount.", nameof(request));
            }
        }
    }
}
