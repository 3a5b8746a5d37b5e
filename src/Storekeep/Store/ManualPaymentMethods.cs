using Storekeep.Payments;

namespace Storekeep.Store;

/// <summary>
/// The payment methods that take no gateway: the customer pays later (bank transfer) or the courier
/// (cash on delivery). Their names are the wire names of <see cref="PaymentMethod"/>.
/// </summary>
public static class ManualPaymentMethods
{
    public const string BankTransfer = "bank_transfer";
    public const string CashOnDelivery = "cash_on_delivery";

    public static readonly IReadOnlyList<string> All = [BankTransfer, CashOnDelivery];

    public static bool IsManual(PaymentMethod method) => method is PaymentMethod.BankTransfer or PaymentMethod.CashOnDelivery;

    public static PaymentMethod? Parse(string? name) => name switch
    {
        BankTransfer => PaymentMethod.BankTransfer,
        CashOnDelivery => PaymentMethod.CashOnDelivery,
        _ => null,
    };

    public static string Name(PaymentMethod method) => method switch
    {
        PaymentMethod.BankTransfer => BankTransfer,
        PaymentMethod.CashOnDelivery => CashOnDelivery,
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Not a manual payment method."),
    };

    public static string Label(string name) => name switch
    {
        BankTransfer => "Bank transfer",
        CashOnDelivery => "Cash on delivery",
        _ => name,
    };

    /// <summary>The enabled methods stored in <see cref="StoreSettings.ManualPaymentMethods"/>, in canonical order.</summary>
    public static IReadOnlyList<string> Enabled(StoreSettings store) =>
        All.Where(m => store.ManualPaymentMethods.Split(',').Contains(m, StringComparer.Ordinal)).ToList();
}
