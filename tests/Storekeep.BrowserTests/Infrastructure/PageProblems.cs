using Microsoft.Playwright;

namespace Storekeep.BrowserTests.Infrastructure;

/// <summary>
/// What went wrong in a browser tab while it opened pages: browser and script errors, and responses
/// that are a missing resource (404) or a server error (5xx), each noted with the page being opened.
/// </summary>
public sealed class PageProblems
{
    private readonly List<string> _problems = [];

    private PageProblems(IPage page)
    {
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                Add($"browser error: {message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => Add($"script error: {error}");
        page.Response += (_, response) =>
        {
            if (response.Status >= 500 || response.Status == 404)
            {
                Add($"{response.Status} from {response.Url}");
            }
        };
    }

    /// <summary>The page being opened, named in every problem noted from now on.</summary>
    public string Current { get; set; } = "";

    public int Count => _problems.Count;

    public static PageProblems Watch(IPage page) => new(page);

    public void Add(string problem) => _problems.Add($"{Current}: {problem}");

    /// <summary>Forgets the problems noted since there were <paramref name="count"/> (an expected refusal's own failed load).</summary>
    public void ForgetSince(int count) => _problems.RemoveRange(count, _problems.Count - count);

    public void AssertNone() => Assert.True(_problems.Count == 0, string.Join('\n', _problems));
}
