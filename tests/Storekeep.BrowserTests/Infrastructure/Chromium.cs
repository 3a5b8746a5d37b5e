using Microsoft.Playwright;

namespace Storekeep.BrowserTests.Infrastructure;

/// <summary>
/// Debian's Chromium driven by Playwright (Playwright's own browser download cannot work offline).
/// Without Chromium the tests skip with a reason on a developer's machine and fail in CI.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = default!;

    /// <summary>Where screenshots go; .ci/run keeps them as artifacts.</summary>
    public static string ScreenshotDirectory { get; } = Environment.GetEnvironmentVariable("STOREKEEP_SCREENSHOTS")
        ?? Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static void SkipIfMissing()
    {
        if (File.Exists(ExecutablePath))
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail($"{ExecutablePath} is missing; .ci/run must install Debian's chromium package.");
        }

        Assert.Skip($"Chromium is not installed at {ExecutablePath} (apt-get install chromium).");
    }

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            return;
        }

        // Assertions poll until they hold; pages on a busy two-core CI machine can take seconds.
        // (Expect(page).ToHaveURLAsync, not WaitForURLAsync: the latter can miss the navigation
        // or load event it waits for and hang, microsoft/playwright-dotnet#3364.)
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
        });
    }

    /// <summary>A fresh browser context (own cookies) sized like a phone, or a desktop for staff.</summary>
    public Task<IBrowserContext> NewContextAsync(bool phone, string baseUrl) =>
        Browser.NewContextAsync(phone
            ? new BrowserNewContextOptions { BaseURL = baseUrl, ViewportSize = new ViewportSize { Width = 390, Height = 844 }, DeviceScaleFactor = 2, IsMobile = true, HasTouch = true, UserAgent = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36" }
            : new BrowserNewContextOptions { BaseURL = baseUrl, ViewportSize = new ViewportSize { Width = 1366, Height = 900 } });

    /// <summary>
    /// Repeats <paramref name="act"/> until <paramref name="done"/> holds: on an interactive page,
    /// clicks and changes made before its circuit is live go nowhere, and there is no event to wait for.
    /// </summary>
    public static async Task UntilAsync(Func<Task> act, Func<Task<bool>> done)
    {
        for (var attempt = 0; attempt < 40; attempt++)
        {
            await act();
            for (var wait = 0; wait < 8; wait++)
            {
                if (await done())
                {
                    return;
                }

                await Task.Delay(250);
            }
        }

        Assert.Fail("The page never answered: is its interactive circuit up?");
    }

    /// <summary>
    /// Waits until a back-office page's interactive circuit has rendered it (the admin layout marks
    /// that): from then on its fields and buttons reach the server.
    /// </summary>
    public static Task InteractiveAsync(IPage page) =>
        page.Locator("[data-circuit=live]").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 30_000 });

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        if (_playwright is not null)
        {
            await Browser.DisposeAsync();
            _playwright.Dispose();
        }
    }
}
