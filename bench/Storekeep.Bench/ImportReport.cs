using System.Text.Json;

namespace Storekeep.Bench;

/// <summary>The report an import endpoint answers, or an exception saying why it did not import.</summary>
internal static class ImportReport
{
    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The import answered {(int)response.StatusCode}: {(body.Length > 2_000 ? body[..2_000] : body)}");
        }

        using var json = JsonDocument.Parse(body);
        var report = json.RootElement.Clone();
        if (!report.GetProperty("imported").GetBoolean())
        {
            throw new InvalidOperationException($"The import did not import: {body}");
        }

        return report;
    }
}
