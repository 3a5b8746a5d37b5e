using Storekeep.Catalog;
using Storekeep.Customers;
using Storekeep.Fulfillment;
using Storekeep.Inventory;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Pricing;
using Storekeep.Promotions;
using Storekeep.Purchasing;
using Storekeep.Store;

namespace Storekeep.Demo;

/// <summary>Everything the demo store consists of, built in memory before a single row is written.</summary>
public sealed class DemoDataSet
{
    public required StoreSettings Settings { get; init; }
    public List<Category> Categories { get; } = [];
    public List<Product> Products { get; } = [];
    public List<Warehouse> Warehouses { get; } = [];
    public List<StockLevel> StockLevels { get; } = [];
    public List<StockMovement> Movements { get; } = [];
    public List<ShippingMethod> ShippingMethods { get; } = [];
    public List<TaxRate> TaxRates { get; } = [];
    public List<DiscountDefinition> Discounts { get; } = [];
    public List<DiscountUse> DiscountUses { get; } = [];
    public List<DiscountCustomerUse> DiscountCustomerUses { get; } = [];
    public List<OrderDiscountAllocation> DiscountAllocations { get; } = [];
    public List<Customer> Customers { get; } = [];
    public List<CustomerTag> CustomerTags { get; } = [];
    public List<Segments.Segment> Segments { get; } = [];
    public List<Order> Orders { get; } = [];
    public List<OrderAllocation> Allocations { get; } = [];
    public List<Payment> Payments { get; } = [];
    public List<Refund> Refunds { get; } = [];
    public List<Shipment> Shipments { get; } = [];
    public List<PickScan> PickScans { get; } = [];
    public List<ReturnRequest> Returns { get; } = [];
    public List<Supplier> Suppliers { get; } = [];
    public List<PriceLists.PriceList> PriceLists { get; } = [];
    public List<PurchaseOrder> PurchaseOrders { get; } = [];
    public List<Loyalty.LoyaltyProgram> LoyaltyPrograms { get; } = [];
    public List<Loyalty.LoyaltyAccount> LoyaltyAccounts { get; } = [];
    public List<Loyalty.LoyaltyEntry> LoyaltyEntries { get; } = [];
    public List<Support.Ticket> Tickets { get; } = [];
    public List<Experiments.Experiment> Experiments { get; } = [];
    public List<Experiments.ExperimentExposure> ExperimentExposures { get; } = [];
    public List<Attribution.VisitorTouch> VisitorTouches { get; } = [];
    public List<Attribution.OrderAcquisition> OrderAcquisitions { get; } = [];
    public List<Attribution.MarketingSpend> MarketingSpend { get; } = [];
    public List<Checkout.Cart> Carts { get; } = [];
    public List<AbandonedCarts.AbandonedCartSettings> AbandonedCartSettings { get; } = [];
    public List<AbandonedCarts.AbandonedCartEmail> AbandonedCartEmails { get; } = [];
    public List<Campaigns.Campaign> Campaigns { get; } = [];
    public List<Campaigns.CampaignRecipient> CampaignRecipients { get; } = [];
    public List<Messaging.Message> Messages { get; } = [];
    public List<Sales.SalesTeam> SalesTeams { get; } = [];
    public List<Sales.SalesRep> SalesReps { get; } = [];
    public List<Sales.SalesTerritory> SalesTerritories { get; } = [];
    public List<Sales.SalesTerritoryRep> SalesTerritoryReps { get; } = [];
    public List<Companies.Company> Companies { get; } = [];
    public List<Sales.Deal> Deals { get; } = [];
    public List<Sales.DealStageChange> DealStageChanges { get; } = [];
    public List<Sales.SalesActivity> SalesActivities { get; } = [];
    public List<Sales.SalesQuota> SalesQuotas { get; } = [];
    public List<Sales.CommissionPlan> CommissionPlans { get; } = [];
    public List<Sales.CommissionPlanTier> CommissionPlanTiers { get; } = [];

    /// <summary>Which customers buy for which company: set after the companies are written (the customer rows go in first).</summary>
    public List<(Guid CustomerId, Guid CompanyId)> CompanyBuyers { get; } = [];
    public List<Invoices.Invoice> Invoices { get; } = [];
    public List<Invoices.InvoicePayment> InvoicePayments { get; } = [];
    public List<Invoices.CompanyCredit> CompanyCredits { get; } = [];
    public List<Invoices.InvoiceCounter> InvoiceCounters { get; } = [];
    public List<Quotes.Quote> Quotes { get; } = [];
    public List<Quotes.QuoteLine> QuoteLines { get; } = [];

    /// <summary>Where the history ends (midnight UTC of the day the store was seeded).</summary>
    public DateTime HistoryEnd { get; init; }

    public long LastOrderNumber => Orders.Count == 0 ? 1000 : Orders[^1].Number;
    public long LastReturnNumber => Returns.Count == 0 ? 1000 : Returns.Max(r => r.Number);
    public long LastQuoteNumber => Quotes.Count == 0 ? 1000 : Quotes.Max(q => q.Number);
    public long LastPurchaseOrderNumber => PurchaseOrders.Count == 0 ? 1000 : PurchaseOrders.Max(o => o.Number);
}
