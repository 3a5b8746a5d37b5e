using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Storekeep.Tests.Infrastructure;

/// <summary>Tests speak the wire format: anonymous objects out, JSON nodes back, no shared DTOs.</summary>
public static class Http
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string url, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body, options: JsonOptions) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PatchJson(this HttpClient client, string url, object body) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Patch, url) { Content = JsonContent.Create(body, options: JsonOptions) });

    public static Task<HttpResponseMessage> PutJson(this HttpClient client, string url, object body) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(body, options: JsonOptions) });

    public static Task<HttpResponseMessage> PostRaw(this HttpClient client, string url, string rawBody, string contentType = "application/json") =>
        client.PostAsync(url, new StringContent(rawBody, Encoding.UTF8, contentType));

    public static async Task<JsonNode> Json(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(text) ?? throw new InvalidOperationException("Empty JSON body.");
    }

    /// <summary>Asserts the status, showing the body when it is not the one expected.</summary>
    public static async Task<JsonNode> Expect(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} but got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
    }

    /// <summary>Asserts an RFC 9457 problem response with this status and code.</summary>
    public static async Task<JsonNode> ExpectProblem(this HttpResponseMessage response, HttpStatusCode status, string? code = null)
    {
        var body = await response.Expect(status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, body["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(body["title"]?.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(body["code"]?.GetValue<string>()));
        if (code is not null)
        {
            Assert.Equal(code, body["code"]!.GetValue<string>());
        }

        return body;
    }

    public static async Task<JsonNode> Expect(this Task<HttpResponseMessage> response, HttpStatusCode status) =>
        await (await response).Expect(status);

    public static async Task<JsonNode> ExpectProblem(this Task<HttpResponseMessage> response, HttpStatusCode status, string? code = null) =>
        await (await response).ExpectProblem(status, code);

    public static decimal Dec(this JsonNode? node) => node!.GetValue<decimal>();

    public static string Str(this JsonNode? node) => node!.GetValue<string>();

    public static int Int(this JsonNode? node) => node!.GetValue<int>();
}
