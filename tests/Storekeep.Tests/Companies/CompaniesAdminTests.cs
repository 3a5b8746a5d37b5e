using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Tests.Infrastructure;
using Storekeep.Tests.Invoices;

namespace Storekeep.Tests.Companies;

/// <summary>Issue 15, the companies back office: price list and owner checks, the list and company pages.</summary>
public sealed class CompaniesAdminTests
{
    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task A_company_names_only_an_existing_price_list_and_rep_and_a_refusal_changes_nothing(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var list = (await store.Client.PostJson("/api/v1/price-lists", new { name = "Wholesale 10", percentOff = 10m }).Expect(HttpStatusCode.Created))["id"].Str();

        var unknown = Guid.NewGuid();
        var refused = await store.Client.PostJson("/api/v1/companies", new { name = "Ghost List Ltd", country = "US", paymentTerms = "net_30", priceListId = unknown })
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_price_list");
        Assert.Contains(unknown.ToString(), refused["detail"].Str(), StringComparison.Ordinal);
        await store.Client.PostJson("/api/v1/companies", new { name = "Ghost Rep Ltd", country = "US", paymentTerms = "net_30", ownerRepId = Guid.NewGuid() })
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_rep");
        Assert.Equal(0, await CompaniesCountAsync(store));

        var created = await store.Client.PostJson("/api/v1/companies", new { name = "Listed GmbH", country = "DE", paymentTerms = "net_30", priceListId = list })
            .Expect(HttpStatusCode.Created);
        var id = created["id"].Str();
        Assert.Equal(list, created["priceListId"].Str());

        // A PATCH naming an unknown list (or rep) alongside other changes changes nothing.
        await store.Client.PatchJson($"/api/v1/companies/{id}", new { name = "Renamed GmbH", paymentTerms = "net_60", priceListId = Guid.NewGuid() })
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_price_list");
        await store.Client.PatchJson($"/api/v1/companies/{id}", new { name = "Renamed GmbH", ownerRepId = Guid.NewGuid() })
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_rep");
        var unchanged = await store.Client.GetAsync($"/api/v1/companies/{id}").Expect(HttpStatusCode.OK);
        Assert.Equal(("Listed GmbH", "net_30", list), (unchanged["name"].Str(), unchanged["paymentTerms"].Str(), unchanged["priceListId"].Str()));

        var other = (await store.Client.PostJson("/api/v1/price-lists", new { name = "Wholesale 20", percentOff = 20m }).Expect(HttpStatusCode.Created))["id"].Str();
        var patched = await store.Client.PatchJson($"/api/v1/companies/{id}", new { priceListId = other }).Expect(HttpStatusCode.OK);
        Assert.Equal(other, patched["priceListId"].Str());
        Assert.Equal(other, (await store.Client.GetAsync($"/api/v1/companies/{id}").Expect(HttpStatusCode.OK))["priceListId"].Str());
        Assert.Equal(1, await CompaniesCountAsync(store));
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task The_list_and_company_pages_show_the_price_list_buyers_and_the_credit_in_use_of_an_invoice_on_terms(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("CASE-1", 40m, main: 10);
        var list = (await store.Client.PostJson("/api/v1/price-lists", new { name = "Bistro Partners", percentOff = 10m }).Expect(HttpStatusCode.Created))["id"].Str();
        var company = await InvoiceTests.CompanyAsync(store, "Corner Bistro", "net_30", 1000m);
        await store.Client.PatchJson($"/api/v1/companies/{company}", new { priceListId = list, industry = "Hospitality" }).Expect(HttpStatusCode.OK);
        var buyer = await InvoiceTests.BuyerAsync(store, company, "chef@bistro.example");
        await InvoiceTests.CompanyAsync(store, "Quiet Traders", "prepaid", null);

        var order = await InvoiceTests.TermsCheckoutAsync(store, buyer, await store.CartWithAsync(store.Anonymous, ("CASE-1", 3)), "chef@bistro.example");
        var invoice = (await store.Client.GetAsync($"/api/v1/invoices?companyId={company}").Expect(HttpStatusCode.OK))["items"]!.AsArray().Single()!;
        var due = invoice["amountDue"].Dec();
        Assert.Equal(order.Total, due);
        Assert.True(due > 0m);
        var currency = invoice["currency"].Str();
        var money = due.ToString("N2", CultureInfo.InvariantCulture) + " " + currency;

        var deal = (await store.Client.PostJson("/api/v1/sales/deals", new { title = "Bistro glassware", companyId = company, amount = 2500m, expectedCloseDate = "2027-03-01" })
            .Expect(HttpStatusCode.Created))["id"].Str();
        var quote = await store.Client.PostJson("/api/v1/sales/quotes", new { companyId = company, dealId = deal, validUntil = DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), lines = new[] { new { sku = "CASE-1", quantity = 2 } } })
            .Expect(HttpStatusCode.Created);

        var seller = await store.SignedInStaffAsync(Role.Sales);
        var listPage = WebUtility.HtmlDecode(await seller.GetPageAsync("/admin/companies"));
        Assert.Contains($"/admin/companies/{company}", listPage, StringComparison.Ordinal);
        Assert.Contains("Corner Bistro", listPage, StringComparison.Ordinal);
        Assert.Contains("Quiet Traders", listPage, StringComparison.Ordinal);
        Assert.Contains("Bistro Partners", listPage, StringComparison.Ordinal);
        Assert.Contains("Hospitality", listPage, StringComparison.Ordinal);
        Assert.Contains(money, listPage, StringComparison.Ordinal); // credit in use
        Assert.Contains("1,000.00 " + currency, listPage, StringComparison.Ordinal); // credit limit

        var searched = WebUtility.HtmlDecode(await seller.GetPageAsync("/admin/companies?q=BISTRO"));
        Assert.Contains("Corner Bistro", searched, StringComparison.Ordinal);
        Assert.DoesNotContain("Quiet Traders", searched, StringComparison.Ordinal);

        var detail = WebUtility.HtmlDecode(await seller.GetPageAsync($"/admin/companies/{company}"));
        var detailText = Regex.Replace(detail, "<[^>]*>", "");
        Assert.Contains("Corner Bistro", detail, StringComparison.Ordinal);
        Assert.Contains("Net 30", detail, StringComparison.Ordinal);
        Assert.Contains("Bistro Partners", detail, StringComparison.Ordinal);
        Assert.Contains("chef@bistro.example", detail, StringComparison.Ordinal);
        Assert.Contains(invoice["number"].Str(), detail, StringComparison.Ordinal);
        Assert.Contains($"/invoices/{invoice["id"].Str()}/print", detail, StringComparison.Ordinal);
        Assert.Contains(money + " in use of 1,000.00 " + currency, detailText, StringComparison.Ordinal);
        Assert.Contains("mud-progress-linear", detail, StringComparison.Ordinal);
        Assert.Contains("New company", listPage, StringComparison.Ordinal); // sales.write sees the form
        Assert.Contains("Bistro glassware", detail, StringComparison.Ordinal);
        Assert.Contains($"/admin/sales/deals/{deal}", detail, StringComparison.Ordinal);
        Assert.Contains(quote["number"].Str(), detail, StringComparison.Ordinal);
        Assert.Contains($"/admin/sales/quotes/{quote["id"].Str()}", detail, StringComparison.Ordinal);

        // The quote pages link the company's name to its page.
        Assert.Contains($"/admin/companies/{company}", await seller.GetPageAsync($"/admin/sales/quotes/{quote["id"].Str()}"), StringComparison.Ordinal);
        Assert.Contains($"/admin/companies/{company}", await seller.GetPageAsync("/admin/sales/quotes"), StringComparison.Ordinal);

        var warehouse = await store.SignedInStaffAsync(Role.Warehouse);
        await warehouse.GetPageAsync("/admin/companies", HttpStatusCode.Forbidden);
        await warehouse.GetPageAsync($"/admin/companies/{company}", HttpStatusCode.Forbidden);
    }

    private static async Task<long> CompaniesCountAsync(TestStore store)
    {
        await using var db = store.Db();
        return await db.Database.SqlQueryRaw<long>("SELECT COUNT(*) AS \"Value\" FROM companies").SingleAsync();
    }
}
