using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Api;

/// <summary>
/// Generated from /openapi/v1.json: every operation that reads a JSON body gets malformed JSON,
/// wrong types, extreme numbers, hostile strings, a body over the limit and a wrong content type;
/// every GET gets hostile query and path values. Never a 5xx; every 4xx is a problem document with
/// a code; a rejected request leaves the database exactly as it was.
/// </summary>
public sealed partial class HostileInputTests
{
    private static readonly string[] MalformedBodies = ["{", "{\"a\":", "[", "null", "\"str\"", "", "[]", "{\"a\":1,}", "\u0000"];

    private static readonly JsonNode?[] WrongTypes = ["a string", 12345, new JsonArray(), new JsonObject(), true];

    private static readonly string[] ExtremeNumbers = ["1e308", "-1e308", "-1", "0", "99999999999999999999", "0.001", "2147483648", "1.5"];

    private static readonly string[] HostileStrings =
    [
        new string('x', 10_001),
        "a\u0001b\u0007c\u001b[31m",
        "nul\u0000inside",
        "\u0000",
        "cart 🛒 emoji 🎉 and RTL \u202Eevil\u202C עברית",
        "'; DROP TABLE orders;--",
        "<script>alert(1)</script>",
        "   ",
        "\uFEFF\u200B",
    ];

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Hostile_request_bodies_never_cause_a_server_error_or_a_write_when_rejected(string database)
    {
        // Over a real socket, so the 2 MB request body limit of Kestrel is in force. Stripe webhooks
        // are configured, so signed bodies reach past the signature check to the event parser.
        await using var store = await TestStore.StartAsync(database, kestrel: true, settings: new Dictionary<string, string?>
        {
            ["Payments:Stripe:WebhookSecret"] = StripeWebhookSecret,
        });
        var fixtures = await Fixtures.CreateAsync(store);
        await using var fingerprint = await DatabaseFingerprint.OpenAsync(store);
        var document = await ApiSurface.OpenApiAsync(store);
        var operations = ApiSurface.Operations(document)
            .Where(o => o.Method is "POST" or "PATCH" or "PUT" && o.Node["requestBody"]?["content"]?["application/json"] is not null)
            .ToList();
        Assert.True(operations.Count > 10, "Suspiciously few operations with a JSON body.");

        var failures = new List<string>();
        var statuses = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var sent = 0;
        var snapshot = await fingerprint.TakeAsync();
        foreach (var op in operations)
        {
            var schema = ApiSurface.Resolve(document, op.Node["requestBody"]!["content"]!["application/json"]!["schema"]);
            var plausible = (op.Path == StripeWebhookPath ? PlausibleStripeEvent()
                : op.Path == OrderImportPath ? PlausibleOrderImport()
                : op.Path.StartsWith(DiscountsPath, StringComparison.Ordinal) ? PlausibleDiscount(withCode: op.Method == "POST")
                : op.Path.EndsWith("/discount-codes", StringComparison.Ordinal) ? new JsonObject { ["code"] = Fixtures.DiscountCode }
                : op.Path.EndsWith("/refunds", StringComparison.Ordinal) && op.Method == "POST"
                    ? new JsonObject { ["lines"] = new JsonArray(new JsonObject { ["sku"] = "HOST-1", ["quantity"] = 1 }), ["reason"] = "damaged" }
                : op.Path == LoyaltyProgramPath ? PlausibleLoyaltyProgram()
                : op.Path == "/api/v1/customers/import" ? new JsonObject { ["csv"] = "email,firstName,tags,acceptsEmail\nimported-customer@example.com,Plausible,vip;press,true\n" }
                : op.Path == "/api/v1/marketing/spend/import" ? new JsonObject { ["csv"] = "date,source,medium,amount\n2026-11-30,google,cpc,12.50\n" }
                : op.Path == "/api/v1/marketing/abandoned-carts" ? new JsonObject
                {
                    ["enabled"] = true,
                    ["steps"] = new JsonArray(new JsonObject { ["delayMinutes"] = 60, ["subject"] = "Plausible subject", ["body"] = "Your cart:\n{{cart.items}}" }),
                }
                : op.Path == "/api/v1/marketing/spend" ? new JsonObject { ["date"] = "2026-11-30", ["source"] = "google", ["medium"] = "cpc", ["amount"] = 12.5m }
                : op.Path.EndsWith("/loyalty/adjustments", StringComparison.Ordinal) ? new JsonObject { ["points"] = 10, ["reason"] = "Hostile input check" }
                : op.Path.EndsWith("/loyalty-redemption", StringComparison.Ordinal) ? new JsonObject { ["points"] = 100 }
                : op.Path == CustomersPath ? PlausibleCustomer(withEmail: true)
                : op.Path == "/api/v1/segments" ? new JsonObject
                {
                    ["name"] = UniqueCodePlaceholder,
                    ["match"] = "any",
                    ["rules"] = new JsonArray(
                        new JsonObject { ["field"] = "totalSpent", ["op"] = "gte", ["value"] = 100 },
                        new JsonObject { ["field"] = "tag", ["op"] = "in", ["value"] = new JsonArray("vip", "press") }),
                }
                : op.Path == CustomersPath + "/{id}" ? PlausibleCustomer(withEmail: false)
                : op.Path == TicketsPath ? new JsonObject { ["email"] = Fixtures.CartEmail, ["subject"] = "Plausible question", ["body"] = "Where is my order?\nThanks", ["channel"] = "web", ["priority"] = "normal" }
                : op.Path == TicketsPath + "/{id}" ? new JsonObject { ["status"] = "pending", ["priority"] = "high", ["assigneeId"] = "none" }
                : op.Path == TicketsPath + "/{id}/messages" ? new JsonObject { ["body"] = "Plausible reply", ["internal"] = true }
                : op.Path == CampaignsPath || op.Path == CampaignsPath + "/{id}" ? new JsonObject
                {
                    ["name"] = "Plausible campaign",
                    ["channel"] = "email",
                    ["segmentId"] = Fixtures.SegmentIdPlaceholder,
                    ["subject"] = "Hello {{customer.firstName}}",
                    ["variants"] = new JsonArray(
                        new JsonObject { ["key"] = "control", ["body"] = "New teas are in.\n\nSee https://shop.example.test/teas", ["weight"] = 1 },
                        new JsonObject { ["key"] = "treatment", ["subject"] = "New teas, {{customer.firstName}}!", ["body"] = "Our new teas are here: https://shop.example.test/teas", ["weight"] = 1 }),
                }
                : op.Path == CampaignsPath + "/{id}/preview" ? new JsonObject { ["variant"] = null }
                : op.Path == CampaignsPath + "/{id}/test" ? new JsonObject { ["to"] = "marketer@example.com" }
                : op.Path == "/api/v1/experiments" ? new JsonObject
                {
                    ["name"] = "Plausible subject lines",
                    ["kind"] = "campaign",
                    ["metric"] = "conversion",
                    ["campaignId"] = Fixtures.CampaignIdPlaceholder,
                    ["variants"] = new JsonArray(new JsonObject { ["key"] = "control", ["weight"] = 1 }, new JsonObject { ["key"] = "treatment", ["weight"] = 1 }),
                }
                : op.Path.StartsWith("/api/v1/price-lists", StringComparison.Ordinal) ? new JsonObject
                {
                    ["name"] = UniqueCodePlaceholder,
                    ["entries"] = new JsonArray(new JsonObject { ["sku"] = Fixtures.Sku, ["price"] = 9.5m, ["minimumQuantity"] = 10 }),
                }
                : op.Path == "/api/v1/pick-lists/scans" ? new JsonObject { ["warehouse"] = "MAIN", ["order"] = Fixtures.OrderIdPlaceholder, ["code"] = Fixtures.Sku, ["quantity"] = 1 }
                : PlausibleSales(op.Path, op.Method) is { } salesBody ? salesBody
                : op.Path == SlaPoliciesPath ? new JsonObject { ["policies"] = new JsonArray(new JsonObject { ["priority"] = "low", ["firstResponseMinutes"] = 1440, ["resolutionMinutes"] = 5760 }) }
                : Plausible(document, schema, "", 0)) ?? new JsonObject();
            foreach (var (label, body, contentType) in HostileBodies(plausible))
            {
                var url = await fixtures.UrlAsync(op.Path);
                var sentBody = fixtures.Fill(Freshen(body, op.Path));
                using var request = new HttpRequestMessage(new HttpMethod(op.Method), url) { Content = new StringContent(sentBody, Encoding.UTF8) };
                if (op.Path == StripeWebhookPath)
                {
                    request.Headers.Add("Stripe-Signature", StripeSignature(sentBody));
                }

                // A well-behaved client of a large upload waits for 100-continue, so it hears the 413
                // instead of writing into a connection the server has closed.
                request.Headers.ExpectContinue = body.Length > 1024 * 1024;
                request.Content.Headers.ContentType = contentType is null ? null : new System.Net.Http.Headers.MediaTypeHeaderValue(contentType) { CharSet = "utf-8" };
                var what = $"{op} [{label}]";
                HttpResponseMessage response;
                try
                {
                    response = await store.Client.SendAsync(request);
                }
                catch (HttpRequestException e)
                {
                    failures.Add($"{what}: no response ({e.Message})");
                    continue;
                }

                sent++;
                var status = (int)response.StatusCode;
                statuses[$"{op}: {status}"] = statuses.GetValueOrDefault($"{op}: {status}") + 1;
                var text = await response.Content.ReadAsStringAsync();
                if (label == "plausible" && status >= 400)
                {
                    // The unaltered body must pass validation, or every hostile value above was only
                    // ever refused for something else and never reached the code that stores it.
                    failures.Add($"{what}: the plausible body was refused with {status}: {Short(sentBody)} → {Short(text)}");
                }

                if (status >= 500)
                {
                    failures.Add($"{what}: {status} {Short(text)}");
                    snapshot = await fingerprint.TakeAsync();
                }
                else if (status >= 400)
                {
                    if (ProblemDefect(response, text) is { } defect)
                    {
                        failures.Add($"{what}: {status} {defect}: {Short(text)}");
                    }

                    var after = await fingerprint.TakeAsync();
                    var changed = DatabaseFingerprint.Differences(snapshot, after);
                    if (changed.Count > 0)
                    {
                        failures.Add($"{what}: {status} but changed {string.Join(", ", changed)}");
                    }

                    snapshot = after;
                }
                else
                {
                    await fixtures.RefreshAfterSuccessAsync(op.Path);
                    snapshot = await fingerprint.TakeAsync();
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{sent} hostile bodies sent to {operations.Count} operations; {fingerprint.Taken} fingerprints, {fingerprint.RowReads} read the rows:\n"
            + string.Join("\n", statuses.Select(s => $"  {s.Key} ×{s.Value}")));
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} hostile bodies were mishandled:\n" + string.Join("\n", failures));
        await store.AssertLedgerMatchesBalancesAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Hostile_query_and_path_values_never_cause_a_server_error(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var fixtures = await Fixtures.CreateAsync(store);
        var document = await ApiSurface.OpenApiAsync(store);
        var operations = ApiSurface.Operations(document).Where(o => o.Method is "GET" or "DELETE").ToList();
        var failures = new List<string>();
        var sent = 0;

        foreach (var op in operations)
        {
            var parameters = op.Node["parameters"]?.AsArray().Select(p => p!.AsObject()).ToList() ?? [];
            foreach (var parameter in parameters)
            {
                var name = parameter["name"]!.GetValue<string>();
                var location = parameter["in"]!.GetValue<string>();
                var type = ApiSurface.Types(ApiSurface.Resolve(document, parameter["schema"])).FirstOrDefault() ?? "string";
                if (location == "path" && op.Method == "DELETE" && type != "string")
                {
                    continue;
                }

                foreach (var (label, value, mustReject) in HostileParameterValues(name, type, location))
                {
                    string url;
                    if (location == "query")
                    {
                        url = await fixtures.UrlAsync(op.Path) + "?" + name + "=" + value;
                    }
                    else if (location == "path")
                    {
                        url = await fixtures.UrlAsync(op.Path.Replace("{" + name + "}", value, StringComparison.Ordinal));
                    }
                    else
                    {
                        continue;
                    }

                    var response = await store.Client.SendAsync(new HttpRequestMessage(new HttpMethod(op.Method), url));
                    sent++;
                    var status = (int)response.StatusCode;
                    var text = await response.Content.ReadAsStringAsync();
                    var what = $"{op} {location} {name}={label}";
                    if (status >= 500)
                    {
                        failures.Add($"{what}: {status} {Short(text)}");
                    }
                    else if (status >= 400 && ProblemDefect(response, text) is { } defect)
                    {
                        failures.Add($"{what}: {status} {defect}: {Short(text)}");
                    }
                    else if (mustReject && status < 400)
                    {
                        failures.Add($"{what}: accepted with {status}, expected a 400 problem");
                    }
                    else if (status < 300 && op.Method == "DELETE")
                    {
                        await fixtures.RefreshAfterSuccessAsync(op.Path);
                    }
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{sent} hostile parameter values sent.");
        Assert.True(sent > 100, "Suspiciously few requests.");
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} hostile parameter values were mishandled:\n" + string.Join("\n", failures));
        await store.AssertLedgerMatchesBalancesAsync();
    }

    private static IEnumerable<(string Label, string Body, string? ContentType)> HostileBodies(JsonNode plausible)
    {
        const string Json = "application/json";
        foreach (var malformed in MalformedBodies)
        {
            yield return ($"malformed {JsonSerializer.Serialize(malformed)}", malformed, Json);
        }

        var valid = plausible.ToJsonString();
        yield return ("text/plain", valid, "text/plain");
        yield return ("form content type", "a=1&b=2", "application/x-www-form-urlencoded");
        yield return ("no content type", valid, null);
        yield return ("json in xml clothing", valid, "application/xml");

        var first = plausible is JsonObject { Count: > 0 } o ? o.First().Key : "a";
        yield return ("body over 2 MB", new JsonObject { [first] = new string('a', 2 * 1024 * 1024 + 100) }.ToJsonString(), Json);

        if (plausible is JsonObject top)
        {
            foreach (var property in top.Select(p => p.Key).ToList())
            {
                foreach (var wrong in WrongTypes)
                {
                    var body = top.DeepClone().AsObject();
                    body[property] = wrong?.DeepClone();
                    yield return ($"{property} = {wrong?.ToJsonString()}", body.ToJsonString(), Json);
                }
            }
        }

        foreach (var (path, leaf) in Leaves(plausible, ""))
        {
            var kind = leaf.GetValueKind();
            if (kind == JsonValueKind.Number)
            {
                foreach (var number in ExtremeNumbers)
                {
                    yield return ($"{path} = {number}", Replace(plausible, path, JsonNode.Parse(number)), Json);
                }
            }
            else if (kind == JsonValueKind.String)
            {
                foreach (var hostile in HostileStrings)
                {
                    var shown = hostile.Length > 40 ? $"<{hostile.Length} chars>" : JsonSerializer.Serialize(hostile);
                    yield return ($"{path} = {shown}", Replace(plausible, path, JsonValue.Create(hostile)), Json);
                }
            }
        }

        yield return ("plausible", valid, Json);
    }

    private static IEnumerable<(string Label, string Value, bool MustReject)> HostileParameterValues(string name, string type, string location)
    {
        if (name.Equals("limit", StringComparison.OrdinalIgnoreCase))
        {
            yield return ("-1", "-1", true);
            yield return ("0", "0", true);
            yield return ("999999", "999999", true);
            yield return ("huge", "99999999999999999999", true);
            yield return ("abc", "abc", true);
            yield return ("1e308", "1e308", true);
        }
        else if (name.Equals("cursor", StringComparison.OrdinalIgnoreCase) || name.Equals("after", StringComparison.OrdinalIgnoreCase))
        {
            yield return ("garbage", "garbage!!", true);
            yield return ("base64 of junk", Uri.EscapeDataString(Convert.ToBase64String(Encoding.UTF8.GetBytes("junk|%|\u0000"))), true);
            yield return ("base64url of NUL", "AA", true);
            yield return ("base64url of invalid UTF-8", "__79", true);

            // A text key we never issued is still a position in the keyset: not an error.
            yield return ("base64url of text", "bm90LWEtY3Vyc29y", false);
        }
        else if (type is "integer" or "number")
        {
            yield return ("-1", "-1", false);
            yield return ("huge", "99999999999999999999", false);
            yield return ("abc", "abc", false);
        }

        yield return ("unknown value", "not_a_real_value", false);
        if (location == "query")
        {
            // In a path, NUL is refused by the HTTP server itself before any endpoint runs.
            yield return ("NUL", "%00", true);
            yield return ("NUL inside", "a%00b", true);
        }

        yield return ("control characters", "a%01%07%1B", true);
        yield return ("invalid UTF-8", "%FF%FE%C0", false);
        yield return ("emoji and RTL", Uri.EscapeDataString("🛒\u202Eevil"), false);
        yield return ("SQL injection", Uri.EscapeDataString("'; DROP TABLE orders;--"), false);
        yield return ("HTML", Uri.EscapeDataString("<script>alert(1)</script>"), false);
        yield return ("path traversal", "..%2F..%2Fetc%2Fpasswd", false);
        yield return ("5000 chars", new string('x', 5000), false);
    }

    /// <summary>A body that would plausibly be accepted, from the schema and the property names.</summary>
    private static JsonNode? Plausible(JsonObject document, JsonObject? schema, string name, int depth)
    {
        if (schema is null || depth > 5)
        {
            return null;
        }

        foreach (var combinator in new[] { "oneOf", "anyOf", "allOf" })
        {
            if (schema[combinator] is JsonArray alternatives)
            {
                var chosen = alternatives.Select(a => ApiSurface.Resolve(document, a)).FirstOrDefault(a => a is not null && !IsNullOnly(a));
                return Plausible(document, chosen, name, depth + 1);
            }
        }

        if (schema["enum"] is JsonArray values)
        {
            return values.FirstOrDefault(v => v is not null)?.DeepClone();
        }

        var types = ApiSurface.Types(schema);
        var lower = name.ToLowerInvariant();
        if (types.Contains("object") || schema["properties"] is not null)
        {
            var result = new JsonObject();
            foreach (var (property, propertySchema) in schema["properties"]?.AsObject() ?? [])
            {
                if (Alternatives.Contains(property))
                {
                    continue;
                }

                result[property] = Plausible(document, ApiSurface.Resolve(document, propertySchema), property, depth + 1);
            }

            return result;
        }

        if (types.Contains("array"))
        {
            var item = Plausible(document, ApiSurface.Resolve(document, schema["items"]), Singular(name), depth + 1);
            return item is null ? new JsonArray() : new JsonArray(item);
        }

        if (types.Contains("integer"))
        {
            return lower switch
            {
                _ when lower.Contains("gram", StringComparison.Ordinal) => 250,
                "threshold" or "lowstockthreshold" => 5,
                _ => 1,
            };
        }

        if (types.Contains("number"))
        {
            return lower switch
            {
                "price" or "amount" => 10,
                "rate" => 5,
                _ => 1,
            };
        }

        if (types.Contains("boolean"))
        {
            return true;
        }

        if (types.Contains("string") && lower is "slug" or "category")
        {
            // Generated from the title when absent; a category must exist.
            return null;
        }

        if (types.Contains("string") && lower == "supplierid")
        {
            return Fixtures.SupplierIdPlaceholder; // a purchase order goes to a supplier that exists
        }

        if (types.Contains("string"))
        {
            return schema["format"]?.GetValue<string>() switch
            {
                "date-time" => "2026-01-01T00:00:00Z",
                "uuid" => Guid.NewGuid().ToString(),
                _ => PlausibleText(lower),
            };
        }

        return null;
    }

    /// <summary>
    /// Fields that replace another rather than add to it (checkout pays by <c>token</c> or by
    /// <c>paymentIntentId</c>, never both): the plausible body uses the first way, so it is accepted.
    /// </summary>
    private static readonly HashSet<string> Alternatives = ["paymentIntentId"];

    private static string PlausibleText(string name) => name switch
    {
        "sku" => Fixtures.Sku,
        "warehouse" or "from" => "MAIN",
        "to" => "WEST",
        "email" => "ada@example.com",
        "phone" => "+1 415 555 0101", // checkout's phone must be E.164-able (SMS consent is for a number)
        "country" => "US",
        "region" => UniqueCodePlaceholder, // a new tax rate's country and region must be new
        "countries" or "countrie" => "US",
        "barcode" => "4006381333931",
        "type" => "adjustment",
        "postalcode" => "10001",
        "city" => "New York",
        "line1" => "12 Analytical Row",
        "token" => "tok_visa",
        "method" => "card",
        "shippingmethod" => "standard",
        "url" => "http://127.0.0.1:9/hooks",
        "event" or "events" => "order.placed",
        "status" => "active",
        "role" => "sales",
        "currency" => "USD",
        "code" => UniqueCodePlaceholder,
        "reason" => "damaged",
        "manualmethod" => "bank_transfer",
        "csv" => "Handle,Title,Variant SKU,Variant Price\nplausible-import,Plausible import,IMPORTED-1,9.50\n",
        "carrier" => "ups",
        "trackingnumber" => "1Z999AA10123456784",
        _ => "Plausible " + name,
    };

    private const string UniqueCodePlaceholder = "UNIQUE-CODE";

    private const string StripeWebhookPath = "/api/v1/payments/stripe/webhook";
    private const string OrderImportPath = "/api/v1/orders/import";

    private const string DiscountsPath = "/api/v1/discounts";
    private const string LoyaltyProgramPath = "/api/v1/loyalty/program";
    private const string CustomersPath = "/api/v1/customers";
    private const string FreshCustomerEmail = "fresh-customer@example.com";

    /// <summary>A customer profile the API accepts (a phone is digits, a new customer's email is unused).</summary>
    private static JsonObject PlausibleCustomer(bool withEmail)
    {
        var body = new JsonObject
        {
            ["firstName"] = "Lin",
            ["lastName"] = "Chen",
            ["phone"] = "+1 555 0100",
            ["company"] = "Chen & Co",
            ["tags"] = new JsonArray("vip", "wholesale"),
            ["note"] = "Prefers phone calls.",
            ["consent"] = new JsonObject { ["email"] = new JsonObject { ["accepted"] = true, ["source"] = "checkout" }, ["sms"] = new JsonObject { ["accepted"] = false } },
        };
        if (withEmail)
        {
            body["email"] = FreshCustomerEmail;
            body["country"] = "GB";
        }

        return body;
    }
    /// <summary>Sales and company bodies name existing teams, reps, companies and orders, and a rep is a user not yet a rep.</summary>
    private static JsonObject? PlausibleSales(string path, string method) => path switch
    {
        "/api/v1/sales/teams" => new JsonObject { ["name"] = "Plausible team" },
        "/api/v1/sales/reps" => new JsonObject { ["email"] = Fixtures.FreshRepUserPlaceholder, ["name"] = "Plausible rep", ["teamId"] = Fixtures.TeamIdPlaceholder },
        "/api/v1/sales/territories" => new JsonObject
        {
            ["name"] = "Plausible territory", ["countries"] = new JsonArray("US"), ["regions"] = new JsonArray("West"), ["industries"] = new JsonArray("Retail"),
            ["assignment"] = "round_robin", ["repIds"] = new JsonArray(Fixtures.RepIdPlaceholder),
        },
        "/api/v1/sales/deals" => new JsonObject
        {
            ["title"] = "Plausible deal", ["companyId"] = Fixtures.CompanyIdPlaceholder, ["contactEmail"] = "buyer@example.com", ["amount"] = 1250.50m,
            ["expectedCloseDate"] = "2027-01-31", ["ownerRepId"] = Fixtures.RepIdPlaceholder, ["source"] = "web",
        },
        "/api/v1/sales/deals/{id}" => new JsonObject
        {
            ["title"] = "Plausible deal", ["amount"] = 990m, ["expectedCloseDate"] = "2027-02-28", ["ownerRepId"] = Fixtures.RepIdPlaceholder,
            ["probability"] = 50, ["forecastCategory"] = "commit",
        },
        "/api/v1/sales/deals/{id}/stage" => new JsonObject { ["stage"] = "qualification" },
        "/api/v1/sales/deals/{id}/win" => new JsonObject { ["orderId"] = Fixtures.OrderIdPlaceholder },
        "/api/v1/sales/deals/{id}/lose" => new JsonObject { ["reason"] = "Chose a competitor" },
        "/api/v1/sales/deals/{id}/activities" => new JsonObject { ["type"] = "call", ["subject"] = "Call the buyer back", ["dueAt"] = "2027-01-05T10:00:00Z", ["done"] = false },
        "/api/v1/sales/stages" => new JsonObject { ["stages"] = new JsonArray(new JsonObject { ["stage"] = "proposal", ["probability"] = 45 }) },
        "/api/v1/sales/quotas" => new JsonObject { ["repId"] = Fixtures.RepIdPlaceholder, ["period"] = "2026-Q4", ["amount"] = 50000m },
        "/api/v1/sales/commission-plans" => new JsonObject
        {
            ["name"] = UniqueCodePlaceholder, ["basis"] = "invoiced", ["rate"] = 5m,
            ["tiers"] = new JsonArray(new JsonObject { ["fromAttainment"] = 100m, ["rate"] = 7.5m }),
        },
        "/api/v1/sales/commission-plans/{id}" => new JsonObject { ["name"] = UniqueCodePlaceholder, ["rate"] = 6m },
        "/api/v1/sales/reps/{id}/commission-plan" => new JsonObject { ["planId"] = null },
        "/api/v1/companies" or "/api/v1/companies/{id}" => new JsonObject
        {
            ["name"] = "Plausible GmbH", ["country"] = "DE", ["region"] = "Bavaria", ["industry"] = "Retail", ["priceListId"] = Fixtures.PriceListIdPlaceholder,
            ["paymentTerms"] = method == "POST" ? "net_30" : "net_60", ["creditLimit"] = 5000m, ["ownerRepId"] = Fixtures.RepIdPlaceholder,
        },
        "/api/v1/companies/{id}/buyers" => new JsonObject { ["email"] = FreshCustomerEmail, ["name"] = "Plausible Buyer" },
        "/api/v1/sales/quotes" or "/api/v1/sales/quotes/{id}" => new JsonObject
        {
            ["companyId"] = method == "POST" ? Fixtures.CompanyIdPlaceholder : null, ["email"] = "buyer@example.com", ["note"] = "Plausible terms",
            ["validUntil"] = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["lines"] = new JsonArray(new JsonObject { ["sku"] = Fixtures.Sku, ["quantity"] = 2, ["unitPrice"] = 9.50m }),
        },
        "/api/v1/sales/quotes/{id}/payment-intent" => new JsonObject
        {
            ["shippingAddress"] = new JsonObject { ["name"] = "Ada Lovelace", ["line1"] = "12 Analytical Row", ["city"] = "New York", ["region"] = "NY", ["postalCode"] = "10001", ["country"] = "US" },
            ["shippingMethod"] = null,
        },
        "/api/v1/sales/quotes/{id}/accept" => new JsonObject
        {
            ["shippingAddress"] = new JsonObject { ["name"] = "Ada Lovelace", ["line1"] = "12 Analytical Row", ["city"] = "New York", ["region"] = "NY", ["postalCode"] = "10001", ["country"] = "US" },
            ["payment"] = new JsonObject { ["method"] = "card", ["token"] = "tok_visa" },
        },
        _ => null,
    };

    private const string TicketsPath = "/api/v1/tickets";
    private const string SlaPoliciesPath = "/api/v1/support/sla-policies";
    private const string CampaignsPath = "/api/v1/campaigns";

    /// <summary>A running program whose points are worth little, so the fixture customer's points always cover a redemption on a fixture cart.</summary>
    private static JsonObject PlausibleLoyaltyProgram() => new()
    {
        ["enabled"] = true,
        ["pointsPerUnit"] = 1,
        ["pointValue"] = 0.01m,
        ["minimumRedeemPoints"] = 0,
        ["expiryDays"] = 365,
        ["tiers"] = new JsonArray(new JsonObject { ["name"] = "Gold", ["minimumSpend12Months"] = 100m, ["multiplier"] = 1.5m }),
    };

    /// <summary>
    /// A discount the API accepts: its fields exclude one another by type (buy and get only for
    /// buy_x_get_y, one of all/skus/categories), which a body made from the schema cannot know.
    /// A change (PATCH) leaves the code alone, so the fixture's code stays enterable on carts.
    /// </summary>
    private static JsonObject PlausibleDiscount(bool withCode)
    {
        var body = new JsonObject
        {
            ["title"] = "Plausible discount",
            ["type"] = "percentage",
            ["value"] = 10,
            ["appliesTo"] = new JsonObject { ["skus"] = new JsonArray(Fixtures.Sku) },
            ["minimumSubtotal"] = 1,
            ["minimumQuantity"] = 1,
            ["startsAt"] = "2026-01-01T00:00:00Z",
            ["endsAt"] = "2036-01-01T00:00:00Z",
            ["usageLimit"] = 1000,
            ["usageLimitPerCustomer"] = 1000,
            ["combinesWith"] = new JsonObject { ["productDiscounts"] = false, ["orderDiscounts"] = true, ["shippingDiscounts"] = true },
            ["status"] = "active",
        };
        if (withCode)
        {
            body["code"] = UniqueCodePlaceholder;
        }

        return body;
    }

    /// <summary>An order lines CSV with the map that reads it; the schema says only "a string" and "an object".</summary>
    private static JsonObject PlausibleOrderImport() => new()
    {
        ["csv"] = "Order,Date,SKU,Qty,Total\nHOSTILE-1,2024-01-02,HOSTILE-IMPORT,1,9.50\n",
        ["map"] = new JsonObject
        {
            ["columns"] = new JsonObject { ["orderNumber"] = "Order", ["placedAt"] = "Date", ["sku"] = "SKU", ["quantity"] = "Qty", ["lineTotal"] = "Total" },
        },
    };

    private const string StripeWebhookSecret = "whsec_hostile_input_sweep";

    /// <summary>An event as Stripe sends it; its schema in the API document is only "object".</summary>
    private static JsonObject PlausibleStripeEvent() => new()
    {
        ["id"] = "evt_plausible",
        ["object"] = "event",
        ["api_version"] = "2024-06-20",
        ["created"] = 1767225600,
        ["livemode"] = false,
        ["pending_webhooks"] = 1,
        ["type"] = "payment_intent.canceled",
        ["data"] = new JsonObject { ["object"] = new JsonObject { ["id"] = "pi_plausible", ["object"] = "payment_intent", ["amount"] = 1999, ["currency"] = "usd" } },
    };

    /// <summary>The Stripe-Signature header for this exact body: <c>t=…,v1=HMAC-SHA256(secret, "t.body")</c>.</summary>
    private static string StripeSignature(string body)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var mac = System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(StripeWebhookSecret), Encoding.UTF8.GetBytes($"{timestamp}.{body}"));
        return $"t={timestamp},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>
    /// Codes, and SKUs of new products, must be new for the request to get past the uniqueness
    /// checks to where the hostile value is stored.
    /// </summary>
    private static string Freshen(string body, string path)
    {
        var fresh = body.Replace($"\"{UniqueCodePlaceholder}\"", $"\"C{Guid.NewGuid().ToString("N")[..12]}\"", StringComparison.Ordinal);
        fresh = fresh.Replace($"\"{FreshCustomerEmail}\"", $"\"c{Guid.NewGuid():N}@example.com\"", StringComparison.Ordinal);
        return path.EndsWith("/products", StringComparison.Ordinal) && !path.Contains("/suppliers/", StringComparison.Ordinal)
            ? fresh.Replace($"\"{Fixtures.Sku}\"", $"\"NEW-{Guid.NewGuid():N}\"", StringComparison.Ordinal)
            : fresh;
    }

    private static string Singular(string name) => name.EndsWith('s') ? name[..^1] : name;

    private static bool IsNullOnly(JsonObject schema) => ApiSurface.Types(schema).Count == 0 && schema["type"] is not null;

    private static IEnumerable<(string Path, JsonValue Leaf)> Leaves(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    foreach (var leaf in Leaves(child, path.Length == 0 ? key : $"{path}.{key}"))
                    {
                        yield return leaf;
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    foreach (var leaf in Leaves(array[i], $"{path}[{i}]"))
                    {
                        yield return leaf;
                    }
                }

                break;
            case JsonValue value:
                yield return (path, value);
                break;
        }
    }

    private static string Replace(JsonNode root, string path, JsonNode? value)
    {
        var clone = root.DeepClone();
        var segments = PathSegment().Matches(path).Select(m => m.Value).ToList();
        var parent = clone;
        for (var i = 0; i < segments.Count - 1; i++)
        {
            parent = Step(parent, segments[i])!;
        }

        var last = segments[^1];
        if (last.StartsWith('['))
        {
            parent.AsArray()[int.Parse(last[1..^1], System.Globalization.CultureInfo.InvariantCulture)] = value;
        }
        else
        {
            parent.AsObject()[last] = value;
        }

        return clone.ToJsonString();
    }

    private static JsonNode? Step(JsonNode node, string segment) =>
        segment.StartsWith('[') ? node.AsArray()[int.Parse(segment[1..^1], System.Globalization.CultureInfo.InvariantCulture)] : node.AsObject()[segment];

    /// <summary>Why the response is not a proper problem document, or null when it is.</summary>
    private static string? ProblemDefect(HttpResponseMessage response, string text)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"content type {response.Content.Headers.ContentType?.MediaType ?? "none"}";
        }

        try
        {
            var body = JsonNode.Parse(text);
            if (body?["status"]?.GetValue<int>() != (int)response.StatusCode)
            {
                return "status missing or different";
            }

            if (string.IsNullOrEmpty(body["title"]?.GetValue<string>()) || string.IsNullOrEmpty(body["code"]?.GetValue<string>()))
            {
                return "title or code missing";
            }
        }
        catch (JsonException)
        {
            return "body is not JSON";
        }

        return null;
    }

    private static string Short(string text) => text.Length > 400 ? text[..400] + "…" : text;

    [GeneratedRegex(@"[^.\[]+|\[\d+\]")]
    private static partial Regex PathSegment();

    /// <summary>
    /// Real ids for path parameters: a product, an active cart with a line, a paid order, a shipped
    /// order (for returns), an order awaiting its bank transfer and its payment (for capture), a
    /// webhook, a message template.
    /// </summary>
    private sealed partial class Fixtures(TestStore store)
    {
        public const string Sku = "HOST-1";
        public const string SupplierIdPlaceholder = "SUPPLIER-ID";
        public const string SegmentIdPlaceholder = "SEGMENT-ID";
        public const string CampaignIdPlaceholder = "CAMPAIGN-ID";
        public const string OrderIdPlaceholder = "ORDER-ID";
        public const string TeamIdPlaceholder = "SALES-TEAM-ID";
        public const string RepIdPlaceholder = "SALES-REP-ID";
        public const string CompanyIdPlaceholder = "COMPANY-ID";
        public const string PriceListIdPlaceholder = "PRICE-LIST-ID";

        /// <summary>Each body naming it gets a back-office user with the sales role who is not a rep yet.</summary>
        public const string FreshRepUserPlaceholder = "fresh-rep@example.com";

        private readonly Queue<string> _repUsers = new();

        /// <summary>An active code for every cart (10 % off), entered by the plausible discount-code body.</summary>
        public const string DiscountCode = "HOSTILE10";

        /// <summary>The email of the fixture orders (<see cref="TestCatalog.CheckoutBody"/>) and carts.</summary>
        public const string CartEmail = "ada@example.com";

        private const string PaidOrders = "orders";
        private const string ShippedOrders = "shipped orders";
        private const string UnpaidOrders = "unpaid orders";
        private const string UnpaidPayments = "unpaid payments";

        private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);

        public static async Task<Fixtures> CreateAsync(TestStore store)
        {
            await store.AddProductAsync(Sku, 10m, main: 1000, west: 1000);
            await store.AddShippingAndTaxAsync();
            var fixtures = new Fixtures(store);
            var product = await store.Client.GetAsync("/api/v1/products/product-host-1").Expect(HttpStatusCode.OK);
            fixtures._ids["products"] = product["id"].Str();
            var discount = await store.Client.PostJson("/api/v1/discounts", new { title = "Hostile ten", code = DiscountCode, type = "percentage", value = 10m })
                .Expect(HttpStatusCode.Created);
            fixtures._ids["discounts"] = discount["id"].Str();
            await store.Client.PutJson(LoyaltyProgramPath, PlausibleLoyaltyProgram()).Expect(HttpStatusCode.OK);
            var segment = await store.Client.PostJson("/api/v1/segments", new { name = "Hostile fixture", match = "all", rules = new[] { new { field = "acceptsEmail", op = "eq", value = true } } })
                .Expect(HttpStatusCode.Created);
            fixtures._ids["segments"] = segment["id"].Str();
            var priceList = await store.Client.PostJson("/api/v1/price-lists", new { name = "Hostile fixture", percentOff = 10m }).Expect(HttpStatusCode.Created);
            fixtures._ids["price-lists"] = priceList["id"].Str();
            var campaign = await store.Client.PostJson(CampaignsPath, new
            {
                name = "Hostile fixture", channel = "email", segmentId = fixtures._ids["segments"], subject = "Hi",
                variants = new[] { new { key = "control", body = "Hello", weight = 1 }, new { key = "treatment", body = "Hello there", weight = 1 } },
            })
                .Expect(HttpStatusCode.Created);
            fixtures._ids["campaigns"] = campaign["id"].Str();
            await fixtures.CreateSalesAsync();
            foreach (var fixture in new[] { "carts", PaidOrders, ShippedOrders, UnpaidOrders, "webhooks", "suppliers", "purchase-orders", "tickets", "deals", "activities", "quotes", "invoices" })
            {
                await fixtures.RefreshAsync(fixture);
            }

            // The customer of the fixture orders and carts, with points to redeem on the carts.
            var customer = await store.Client.GetAsync($"/api/v1/customers/{CartEmail}").Expect(HttpStatusCode.OK);
            fixtures._ids["customers"] = customer["id"].Str();
            await store.Client.PostJson($"/api/v1/customers/{fixtures._ids["customers"]}/loyalty/adjustments", new { points = 1_000_000, reason = "Fixture" })
                .Expect(HttpStatusCode.Created);

            return fixtures;
        }

        /// <summary>Puts the fixtures' ids (supplier, segment, campaign, paid order) where a body names them.</summary>
        public string Fill(string body) => body
            .Replace($"\"{SupplierIdPlaceholder}\"", $"\"{_ids["suppliers"]}\"", StringComparison.Ordinal)
            .Replace($"\"{SegmentIdPlaceholder}\"", $"\"{_ids["segments"]}\"", StringComparison.Ordinal)
            .Replace($"\"{CampaignIdPlaceholder}\"", $"\"{_ids["campaigns"]}\"", StringComparison.Ordinal)
            .Replace($"\"{OrderIdPlaceholder}\"", $"\"{_ids[PaidOrders]}\"", StringComparison.Ordinal)
            .Replace($"\"{TeamIdPlaceholder}\"", $"\"{_ids["sales-team"]}\"", StringComparison.Ordinal)
            .Replace($"\"{RepIdPlaceholder}\"", $"\"{_ids["sales-rep"]}\"", StringComparison.Ordinal)
            .Replace($"\"{CompanyIdPlaceholder}\"", $"\"{_ids["companies"]}\"", StringComparison.Ordinal)
            .Replace($"\"{PriceListIdPlaceholder}\"", $"\"{_ids["price-lists"]}\"", StringComparison.Ordinal)
            .Replace($"\"{FreshRepUserPlaceholder}\"", $"\"{(body.Contains(FreshRepUserPlaceholder, StringComparison.Ordinal) ? _repUsers.Dequeue() : "")}\"", StringComparison.Ordinal);

        public Task<string> UrlAsync(string path) =>
            Task.FromResult(RouteParameter().Replace(path, m => Value(path, path[..m.Index], m.Groups[1].Value)));

        /// <summary>A success may have used a fixture up (a cart checked out, an order cancelled): make a fresh one.</summary>
        public async Task RefreshAfterSuccessAsync(string path)
        {
            foreach (var resource in new[] { "carts", "orders", "webhooks", "purchase-orders", "tickets", "deals", "quotes", "invoices" })
            {
                if (path.Contains($"/{resource}/{{", StringComparison.Ordinal))
                {
                    await RefreshAsync(resource == "orders" ? OrderFixture(path) : resource);
                }
            }
        }

        /// <summary>The order a route needs to accept its plausible body.</summary>
        private static string OrderFixture(string path) =>
            path.Contains("/payments/{", StringComparison.Ordinal) ? UnpaidOrders
            : path.EndsWith("/returns", StringComparison.Ordinal) ? ShippedOrders
            : PaidOrders;

        private async Task RefreshAsync(string fixture)
        {
            switch (fixture)
            {
                case "carts":
                    // With the fixture customer's email: staff may redeem that customer's points on it.
                    var cart = await store.Client.PostJson("/api/v1/carts", new { email = CartEmail }).Expect(HttpStatusCode.Created);
                    await store.Client.PostJson($"/api/v1/carts/{cart["id"].Str()}/items", new { sku = Sku, quantity = 1 }).Expect(HttpStatusCode.OK);
                    _ids["carts"] = cart["id"].Str();
                    break;
                case PaidOrders:
                    _ids[PaidOrders] = await PlaceOrderAsync();
                    break;
                case ShippedOrders:
                    var shipped = await PlaceOrderAsync();
                    await store.Client.PostJson($"/api/v1/orders/{shipped}/shipments", new { lines = new[] { new { sku = Sku, quantity = 2 } }, carrier = "UPS", trackingNumber = "1Z999" })
                        .Expect(HttpStatusCode.Created);
                    _ids[ShippedOrders] = shipped;
                    break;
                case UnpaidOrders:
                    var unpaid = await store.PlaceManualOrderAsync("bank_transfer", (Sku, 2));
                    _ids[UnpaidOrders] = unpaid["id"].Str();
                    _ids[UnpaidPayments] = await store.PaymentIdAsync(unpaid);
                    break;
                case "suppliers":
                    var supplier = await store.Client.PostJson("/api/v1/suppliers", new { name = "Hostile Supplies", email = "orders@supplier.example", currency = "USD", leadTimeDays = 7 })
                        .Expect(HttpStatusCode.Created);
                    _ids["suppliers"] = supplier["id"].Str();
                    break;
                case "purchase-orders":
                    // Sent, with plenty outstanding: a receipt of the plausible body is accepted.
                    var order = await store.Client.PostJson("/api/v1/purchase-orders", new { supplierId = _ids["suppliers"], warehouse = "MAIN", lines = new[] { new { sku = Sku, quantity = 1000, unitCost = 4m } } })
                        .Expect(HttpStatusCode.Created);
                    await store.Client.PostAsync($"/api/v1/purchase-orders/{order["id"].Str()}/send", null).Expect(HttpStatusCode.OK);
                    _ids["purchase-orders"] = order["id"].Str();
                    break;
                case "tickets":
                    var ticket = await store.Client.PostJson(TicketsPath, new { email = CartEmail, subject = "Fixture question", body = "Where is my order?", channel = "email" })
                        .Expect(HttpStatusCode.Created);
                    _ids["tickets"] = ticket["id"].Str();
                    break;
                case "deals":
                    // Open, so every move is allowed; a win or loss closes it, and success refreshes it.
                    var deal = await store.Client.PostJson("/api/v1/sales/deals", new { title = "Fixture deal", companyId = _ids["companies"], amount = 500m, expectedCloseDate = "2027-01-31" })
                        .Expect(HttpStatusCode.Created);
                    _ids["deals"] = deal["id"].Str();
                    break;
                case "activities":
                    var activity = await store.Client.PostJson($"/api/v1/sales/deals/{_ids["deals"]}/activities", new { type = "task", subject = "Fixture task" })
                        .Expect(HttpStatusCode.Created);
                    _ids["activities"] = activity["id"].Str();
                    break;
                case "quotes":
                    // Sent and valid for a month: it may be edited, sent again, accepted or declined; those that close it refresh it.
                    var quote = await store.Client.PostJson("/api/v1/sales/quotes", new
                    {
                        email = CartEmail, validUntil = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                        lines = new[] { new { sku = Sku, quantity = 1 } },
                    }).Expect(HttpStatusCode.Created);
                    await store.Client.PostAsync($"/api/v1/sales/quotes/{quote["id"].Str()}/send", null).Expect(HttpStatusCode.OK);
                    _ids["quotes"] = quote["id"].Str();
                    break;
                case "invoices":
                    // An open invoice of an order on the fixture company's terms, placed by a signed-in buyer.
                    var buyerEmail = $"buyer-{Guid.NewGuid():N}@fixture.example";
                    var account = await Invoices.InvoiceTests.BuyerAsync(store, Guid.Parse(_ids["companies"]), buyerEmail);
                    var termsOrder = await Invoices.InvoiceTests.TermsCheckoutAsync(store, account, await store.CartWithAsync(store.Client, (Sku, 2)), buyerEmail);
                    await using (var db = store.Db())
                    {
                        _ids["invoices"] = (await db.Set<Storekeep.Invoices.Invoice>().SingleAsync(i => i.OrderId == termsOrder.Id)).Id.ToString();
                    }

                    break;
                case "webhooks":
                    var webhook = await store.Client.PostJson("/api/v1/webhooks", new { url = "http://127.0.0.1:9/hooks", events = new[] { "order.placed" } })
                        .Expect(HttpStatusCode.Created);
                    _ids["webhooks"] = webhook["id"].Str();
                    break;
            }
        }

        /// <summary>A team, a rep (in a catch-all territory), a company, and a pool of sales users who are not reps yet.</summary>
        private async Task CreateSalesAsync()
        {
            Guid salesRole;
            await using (var scope = store.Services.CreateAsyncScope())
            {
                var staff = scope.ServiceProvider.GetRequiredService<Storekeep.Accounts.StaffAccounts>();
                await staff.EnsureRolesAsync();
                _ids["sales-user"] = (await staff.CreateAsync("fixture-rep@example.com", "Fixture Rep", [Storekeep.Access.Role.Sales], "Correct-Horse-Battery-9")).Id.ToString();
                await using var db = store.Db();
                salesRole = await db.Roles.Where(r => r.NormalizedName == "SALES").Select(r => r.Id).SingleAsync();
                for (var i = 0; i < 120; i++)
                {
                    // Without a password: only their role matters here, and hashing 120 passwords would be slow.
                    var email = $"rep{i}@example.com";
                    var user = new Storekeep.Accounts.UserAccount { UserName = email, Email = email, NormalizedEmail = email.ToUpperInvariant(), NormalizedUserName = email.ToUpperInvariant(), EmailConfirmed = true };
                    db.Users.Add(user);
                    db.UserRoles.Add(new Microsoft.AspNetCore.Identity.IdentityUserRole<Guid> { UserId = user.Id, RoleId = salesRole });
                    _repUsers.Enqueue(email);
                }

                await db.SaveChangesAsync();
            }

            var team = await store.Client.PostJson("/api/v1/sales/teams", new { name = "Fixture team" }).Expect(HttpStatusCode.Created);
            _ids["sales-team"] = team["id"].Str();
            var rep = await store.Client.PostJson("/api/v1/sales/reps", new { userId = _ids["sales-user"], teamId = _ids["sales-team"] }).Expect(HttpStatusCode.Created);
            _ids["sales-rep"] = rep["id"].Str();
            _ids["reps"] = rep["id"].Str();
            await store.Client.PostJson("/api/v1/sales/territories", new { name = "Everywhere", assignment = "round_robin", repIds = new[] { _ids["sales-rep"] } }).Expect(HttpStatusCode.Created);
            var company = await store.Client.PostJson("/api/v1/companies", new { name = "Fixture AG", country = "DE", paymentTerms = "net_30" }).Expect(HttpStatusCode.Created);
            _ids["companies"] = company["id"].Str();
            var plan = await store.Client.PostJson("/api/v1/sales/commission-plans", new { name = "Fixture plan", basis = "invoiced", rate = 5m }).Expect(HttpStatusCode.Created);
            _ids["commission-plans"] = plan["id"].Str();
        }

        private async Task<string> PlaceOrderAsync()
        {
            var cart = await store.CartWithAsync(store.Client, (Sku, 2));
            var order = await store.Client.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody()).Expect(HttpStatusCode.Created);
            return order["id"].Str();
        }

        private string Value(string path, string before, string name)
        {
            var resource = before.TrimEnd('/').Split('/')[^1];
            if (name.Contains("sku", StringComparison.OrdinalIgnoreCase))
            {
                return Sku;
            }

            return (resource, name) switch
            {
                (_, "code") => "MAIN",
                ("message-templates", "key") => Storekeep.Messaging.MessageTypes.OrderConfirmation,
                ("orders", _) => _ids[OrderFixture(path)],
                ("payments", _) => _ids[UnpaidPayments],
                _ => _ids.TryGetValue(resource, out var id) ? id : Guid.NewGuid().ToString(),
            };
        }

        [GeneratedRegex(@"\{([^}]*)\}")]
        private static partial Regex RouteParameter();
    }
}
