using Microsoft.Playwright;

namespace Webhooks.Tests.Infrastructure;

/// <summary>A real headless Chromium driven by Playwright: Debian's build (installed by .ci/run), since Playwright's own
/// browser download cannot run here. WEBHOOKS_CHROMIUM names another executable.</summary>
public sealed class ChromiumBrowser : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public static string ExecutablePath => Environment.GetEnvironmentVariable("WEBHOOKS_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} does not exist: install Debian's chromium (sudo bash .ci/chromium.sh; .ci/run does) or set WEBHOOKS_CHROMIUM");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // This machine's network is closed: without these, Chromium keeps trying to reach Google's services.
            Args = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-gpu", "--disable-quic"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
