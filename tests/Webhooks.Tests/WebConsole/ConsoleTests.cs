using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Webhooks.Tests.WebConsole;

/// <summary>The web console in a real headless Chromium against the real gateway: an operator's whole round, through
/// the page's own forms and buttons.</summary>
[Collection(ClusterCollection.Name)]
public sealed partial class ConsoleTests(ClusterFixture fixture, ChromiumBrowser chromium) : GatewayTest(fixture.Client), IClassFixture<ChromiumBrowser>
{
    static ConsoleTests()
    {
        // Each expectation waits (polling the page) up to this long: the page works against a live cluster.
        SetDefaultExpectTimeout(15_000);
    }

    [Fact]
    public async Task Operator_CreatesEndpointAndWebhookThroughTheForms_WatchesDeliveriesArrive_AndRedelivers()
    {
        // Ids that sort first, so that the shared cluster's other endpoints do not push these off the first page.
        var endpointId = $"0-console-{Prefix}";
        var webhookId = $"0-console-{Prefix}";
        var type = $"console{Prefix}.device";
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
        var page = await context.NewPageAsync();
        var pageErrors = new List<string>();
        page.PageError += (_, error) => pageErrors.Add(error);

        // The endpoint, through its form.
        await page.GotoAsync($"{Gateway.HttpUrl}/#/endpoints");
        await page.GetByRole(AriaRole.Link, new() { Name = "Create Endpoint" }).First.ClickAsync();
        await page.GetByLabel("ID", new() { Exact = true }).FillAsync(endpointId);
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Console receiver");
        await page.GetByLabel("URL").FillAsync("ftp://nowhere");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create endpoint" }).ClickAsync();
        // The API's refusal, shown at its field.
        await Expect(page.Locator("#" + await page.GetByLabel("URL").GetAttributeAsync("aria-describedby"))).ToContainTextAsync("http");
        await Expect(page.GetByLabel("URL")).ToHaveAttributeAsync("aria-invalid", "true");
        await page.GetByLabel("URL").FillAsync($"{Receiver.Url}/console");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create endpoint" }).ClickAsync();
        await Expect(page.Locator($"tr[data-endpoint-id='{endpointId}']")).ToBeVisibleAsync();

        // The webhook, through its form: a condition error is shown at the condition as it is typed.
        await page.GotoAsync($"{Gateway.HttpUrl}/#/webhooks/new");
        await page.GetByLabel("ID", new() { Exact = true }).FillAsync(webhookId);
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Devices going live");
        await page.GetByLabel("Object types").FillAsync(type);
        var condition = page.GetByLabel("Condition (JavaScript)");
        await condition.FillAsync("data.status.value ===");
        await Expect(page.Locator("#" + await condition.GetAttributeAsync("aria-describedby"))).ToContainTextAsync("syntax error");
        await Expect(condition).ToHaveAttributeAsync("aria-invalid", "true");
        await condition.FillAsync("data.status.value === 'planned' || data.status.value === 'active'");
        await Expect(condition).Not.ToHaveAttributeAsync("aria-invalid", "true");
        await page.GetByLabel("Body template").FillAsync("{{ data.name }} ({{ data.device_type.model }}) is {{ data.status.value }}");
        await page.GetByLabel("Endpoint IDs").FillAsync(endpointId);

        // The preview renders NetBox's example event, sending nothing.
        await page.GetByLabel("Sample event").SelectOptionAsync(new SelectOptionValue { Label = "dcim.device created (NetBox)" });
        await Expect(page.Locator(".preview .verdict")).ToHaveTextAsync("Does not match: no delivery");
        await Expect(page.Locator(".preview")).ToContainTextAsync("does not take dcim.device created events");
        // NetBox's example as this webhook's object type.
        var sample = page.GetByLabel("Event (JSON, as published)");
        await sample.FillAsync((await sample.InputValueAsync()).Replace("\"dcim.device\"", $"\"{type}\"", StringComparison.Ordinal));
        await Expect(page.Locator(".preview .verdict")).ToHaveTextAsync("Matches: this request would be sent");
        await Expect(page.Locator("[data-preview=body]")).ToHaveTextAsync("sw-core-01 (EX4300-48T) is planned");
        await Expect(page.Locator("[data-preview=url]")).ToHaveTextAsync($"{Receiver.Url}/console");
        await Expect(page.Locator("[data-preview=method]")).ToHaveTextAsync("POST");
        await Snapshot(page, "webhook-editor");
        Assert.Empty(Receiver.For("/console"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Create webhook" }).ClickAsync();
        await Expect(page.Locator($"tr[data-webhook-id='{webhookId}']")).ToBeVisibleAsync();
        await Snapshot(page, "webhooks");

        // Events published through the API move the endpoint's counters on the open page, without a reload.
        await page.GotoAsync($"{Gateway.HttpUrl}/#/endpoints");
        var row = page.Locator($"tr[data-endpoint-id='{endpointId}']");
        await Expect(row.Locator("[data-stat=delivered]")).ToHaveTextAsync("0");
        await page.EvaluateAsync("() => { window.notReloaded = true; }");
        for (var n = 0; n < 3; n++)
        {
            await EventsApi.PublishAsync(new PublishRequest
            {
                Event = new ObjectEvent
                {
                    ObjectType = type,
                    Event = "created",
                    Data = Google.Protobuf.WellKnownTypes.Struct.Parser.ParseJson($$$"""{"name": "sw{{{n}}}", "status": {"value": "active"}, "device_type": {"model": "QFX"}}"""),
                },
            });
        }

        await Expect(row.Locator("[data-stat=delivered]")).ToHaveTextAsync("3");
        await Expect(row.Locator("[data-stat=lastStatus]")).ToHaveTextAsync("204");
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"));
        await Snapshot(page, "endpoints");
        await Receiver.WaitForAsync("/console", 3);

        // View Logs: the three deliveries, newest first; a delivery's detail, and Redeliver makes a manual attempt.
        await row.GetByRole(AriaRole.Link, new() { Name = "Logs" }).ClickAsync();
        var deliveries = page.Locator("tr[data-delivery-id]");
        await Expect(deliveries).ToHaveCountAsync(3);
        await Expect(deliveries.First).ToContainTextAsync("succeeded");
        await Snapshot(page, "logs");
        await deliveries.First.GetByRole(AriaRole.Link, new() { Name = "Details" }).ClickAsync();
        await Expect(page.Locator("section.attempt")).ToHaveCountAsync(1);
        await Expect(page.Locator("section.attempt").First).ToContainTextAsync("HTTP 204");
        await Expect(page.Locator("section.attempt").First).ToContainTextAsync("X-Hook-Delivery");
        await page.GetByRole(AriaRole.Button, new() { Name = "Redeliver" }).ClickAsync();
        await Expect(page.Locator("section.attempt")).ToHaveCountAsync(2);
        await Expect(page.Locator("section.attempt[data-manual=true]")).ToHaveCountAsync(1);
        await Expect(page.Locator("section.attempt").First).ToContainTextAsync("manual");
        await Snapshot(page, "delivery");
        await Receiver.WaitForAsync("/console", 4);

        // Replay: the endpoint's succeeded deliveries since ten minutes ago (browser time), sent again.
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to logs" }).ClickAsync();
        await page.GetByLabel("Deliveries that").SelectOptionAsync("SUCCEEDED");
        var since = await page.EvaluateAsync<string>(
            "() => { const d = new Date(Date.now() - 600000); d.setMinutes(d.getMinutes() - d.getTimezoneOffset()); return d.toISOString().slice(0, 19); }");
        await page.GetByLabel("Created since").FillAsync(since);
        await page.GetByRole(AriaRole.Button, new() { Name = "Replay" }).ClickAsync();
        await Expect(page.Locator("#notice")).ToHaveTextAsync($"3 deliveries of {endpointId} sent again.");
        await Receiver.WaitForAsync("/console", 7);

        // Editing the webhook through its form, then disabling it from the table.
        await page.GotoAsync($"{Gateway.HttpUrl}/#/webhooks/{webhookId}");
        await Expect(page.GetByLabel("Condition (JavaScript)")).ToHaveValueAsync("data.status.value === 'planned' || data.status.value === 'active'");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Devices going live (edited)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        var webhookRow = page.Locator($"tr[data-webhook-id='{webhookId}']");
        await Expect(webhookRow).ToContainTextAsync("Devices going live (edited)");
        await Expect(webhookRow).ToContainTextAsync("3");
        await webhookRow.GetByRole(AriaRole.Button, new() { Name = "Disable" }).ClickAsync();
        await Expect(webhookRow.Locator(".badge")).ToHaveTextAsync("disabled");
        var stored = await WebhooksApi.GetWebhookAsync(new GetWebhookRequest { Id = webhookId });
        Assert.Equal(("Devices going live (edited)", false), (stored.Name, stored.Enabled));
        Assert.Equal("{{ data.name }} ({{ data.device_type.model }}) is {{ data.status.value }}", stored.BodyTemplate);
        Assert.Empty(pageErrors);
    }

    [Fact]
    public async Task EndpointForm_EditsThePolicy_KeepsSecretAndHeaderValuesWriteOnly_PausesResumesAndSendsATest()
    {
        var id = $"0-edit-{Prefix}";
        await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            EndpointId = id,
            Endpoint = new Api.V1.Endpoint { Name = "edit me", Url = $"{Receiver.Url}/edit", Secret = "s3cret", Headers = { new Api.V1.Header { Name = "Authorization", Value = "Bearer t0ken" } } },
        });
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
        var page = await context.NewPageAsync();

        await page.GotoAsync($"{Gateway.HttpUrl}/#/endpoints/{id}");
        // Write-only: the secret is never shown, header values read back masked.
        await Expect(page.GetByLabel("Secret")).ToHaveValueAsync("");
        await Expect(page.GetByLabel("Secret")).ToHaveAttributeAsync("placeholder", new Regex("^set \\(sha256:"));
        await Expect(page.GetByLabel("Headers")).ToHaveValueAsync("Authorization: ***");
        await page.GetByLabel("Timeout (s)").FillAsync("5");
        await page.GetByLabel("Ordering").SelectOptionAsync("NONE");
        await page.GetByLabel("Retry policy").SelectOptionAsync("exponential");
        await page.GetByLabel("Initial (s)").FillAsync("2");
        await page.GetByLabel("Multiplier").FillAsync("3");
        await page.GetByLabel("Max delay (s)").FillAsync("60");
        await page.GetByLabel("Attempts in all").FillAsync("4");
        await page.GetByLabel("Failures to open").FillAsync("3");
        await page.GetByLabel("Requests per second").FillAsync("5");
        await page.GetByLabel("Burst").FillAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        var row = page.Locator($"tr[data-endpoint-id='{id}']");
        await Expect(row).ToBeVisibleAsync();

        var stored = await EndpointsApi.GetEndpointAsync(new GetEndpointRequest { Id = id });
        Assert.Equal(TimeSpan.FromSeconds(5), stored.Timeout.ToTimeSpan());
        Assert.Equal(Api.V1.Endpoint.Types.Ordering.None, stored.Ordering);
        Assert.Equal(TimeSpan.FromSeconds(2), stored.RetryPolicy.Exponential.Initial.ToTimeSpan());
        Assert.Equal(3, stored.RetryPolicy.Exponential.Multiplier);
        Assert.Equal(TimeSpan.FromSeconds(60), stored.RetryPolicy.Exponential.Max.ToTimeSpan());
        Assert.Equal(4, stored.RetryPolicy.MaxAttempts);
        Assert.Equal(3, stored.CircuitBreaker.FailureThreshold);
        Assert.Equal((5.0, 2), (stored.RateLimit.RequestsPerSecond, stored.RateLimit.Burst));
        Assert.True(stored.SecretSet);

        // The stored secret and header value survived the save: a test event carries both.
        await row.GetByRole(AriaRole.Button, new() { Name = "Send test" }).ClickAsync();
        await Expect(page.Locator("#notice")).ToHaveTextAsync("Test event to edit me: HTTP 204.");
        var sent = (await Receiver.WaitForAsync("/edit", 1)).Single();
        Assert.Equal("Bearer t0ken", sent.Headers["Authorization"]);
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA512.HashData("s3cret"u8.ToArray(), sent.Body));
        Assert.Equal(expected, sent.Headers["X-Hook-Signature"]);

        await row.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await Expect(row.Locator(".badge")).ToHaveTextAsync("paused");
        Assert.True((await EndpointsApi.GetEndpointStateAsync(new GetEndpointStateRequest { EndpointId = id })).Paused);
        await row.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await Expect(row.Locator(".badge")).ToHaveTextAsync("active");
    }

    [Fact]
    public async Task Reader_SignsInWithAKey_SeesEverything_AndEveryChangeIsDisabledSayingWhy()
    {
        var keys = new Dictionary<string, string?>
        {
            ["Auth:Keys:0:Name"] = "dashboard", ["Auth:Keys:0:Role"] = "reader", ["Auth:Keys:0:Sha256"] = Sha256("reader-key-" + Prefix),
        };
        await using var gateway = await GatewayServer.StartAsync(fixture.Client, keys);
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync($"{gateway.HttpUrl}/#/webhooks");
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Sign in" });
        await Expect(dialog).ToBeVisibleAsync();
        await page.GetByLabel("API key").FillAsync("not-a-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("#sign-in-error")).ToHaveTextAsync("That key was refused.");

        await page.GetByLabel("API key").FillAsync("reader-key-" + Prefix);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("#who")).ToContainTextAsync("dashboard · reader");
        var create = page.GetByRole(AriaRole.Button, new() { Name = "Create Webhook" });
        await Expect(create).ToBeDisabledAsync();
        await Expect(create).ToHaveAttributeAsync("title", new Regex("admin key"));
        await page.GotoAsync($"{gateway.HttpUrl}/#/endpoints");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create Endpoint" })).ToBeDisabledAsync();
        var deletes = page.GetByRole(AriaRole.Button, new() { Name = "Delete" });
        await Expect(deletes.First).ToBeDisabledAsync();
    }

    [Fact]
    public async Task MarkupInNamesAndErrors_IsShownAsText_NeverRun()
    {
        const string markup = "<img src=x onerror=\"window.pwned = true\">";
        var endpoint = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            EndpointId = $"0-markup-{Prefix}",
            Endpoint = new Api.V1.Endpoint { Name = markup, Url = $"{Receiver.Url}/markup", Description = markup },
        });
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync($"{Gateway.HttpUrl}/#/endpoints");
        await Expect(page.Locator($"tr[data-endpoint-id='{endpoint.Id}']")).ToContainTextAsync(markup);
        await page.GotoAsync($"{Gateway.HttpUrl}/#/endpoints/{endpoint.Id}");
        await Expect(page.GetByLabel("Description")).ToHaveValueAsync(markup);
        Assert.Equal(0, await page.Locator("img").CountAsync());
        Assert.False(await page.EvaluateAsync<bool>("() => window.pwned === true"));
    }

    [Fact]
    public async Task ConsoleFiles_AreServedWithoutAKey_WithAPolicyThatRunsOnlyTheirOwnScripts()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Gateway.HttpUrl) };
        using var index = await http.GetAsync("/");
        index.EnsureSuccessStatusCode();
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", index.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", index.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("js/app.js", await index.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var script = await http.GetAsync("/js/app.js");
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
    }

    private static string Sha256(string key) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));

    /// <summary>Keeps a screenshot when WEBHOOKS_CONSOLE_SCREENSHOTS names a folder (scripts/console-screenshots.sh
    /// points it at docs/console).</summary>
    private static async Task Snapshot(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("WEBHOOKS_CONSOLE_SCREENSHOTS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"{name}.png"), FullPage = true });
        }
    }
}
