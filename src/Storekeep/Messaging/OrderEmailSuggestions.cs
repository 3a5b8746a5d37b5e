namespace Storekeep.Messaging;

/// <summary>A product the order confirmation suggests: its title, price in the store currency and storefront slug.</summary>
public sealed record EmailSuggestion(string Title, decimal Price, string Slug);

/// <summary>
/// Where the order confirmation's "You may also like" list (placeholder <c>recommendations</c>)
/// comes from; implemented by the Recommendations capability. Without one the list is empty.
/// </summary>
public interface IOrderEmailSuggestions
{
    /// <summary>Up to <paramref name="take"/> active products, best first, none of them among <paramref name="orderedSkus"/>.</summary>
    Task<IReadOnlyList<EmailSuggestion>> ForOrderAsync(IReadOnlyCollection<string> orderedSkus, int take, CancellationToken ct);
}
