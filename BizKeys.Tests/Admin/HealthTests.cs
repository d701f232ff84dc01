using System.Net;
using System.Text.Json;
using BizKeys.Tests.Support;

namespace BizKeys.Tests.Admin;

/// <summary>What a load balancer and an orchestrator read at /healthz/live and /healthz/ready.</summary>
public class HealthTests
{
    [Fact]
    public async Task A_working_instance_is_live_and_ready_and_says_which_checks_passed()
    {
        await using var app = new AppFactory();
        using var client = app.CreateClient();

        var live = await client.GetAsync("/healthz/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("Healthy", Json(await live.Content.ReadAsStringAsync()).GetProperty("status").GetString());

        foreach (var path in new[] { "/healthz/ready", "/healthz" })
        {
            var ready = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            var checks = Checks(await ready.Content.ReadAsStringAsync());
            Assert.Equal(["database", "disk", "key_changes", "outbox"], checks.Keys.Order());
            Assert.All(checks.Values, status => Assert.Equal("Healthy", status.Status));
        }
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/healthz/ready"))).StatusCode);
    }

    [Fact]
    public async Task Too_little_disk_space_makes_the_instance_not_ready_naming_the_folder_while_it_stays_live()
    {
        await using var app = new AppFactory(settings: new Dictionary<string, string?> { ["BizKeys:Health:MinFreeMegabytes"] = "1000000000" });
        using var client = app.CreateClient();

        var ready = await client.GetAsync("/healthz/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var body = await ready.Content.ReadAsStringAsync();
        var disk = Checks(body)["disk"];
        Assert.Equal("Unhealthy", disk.Status);
        Assert.Contains(app.LogDirectory, disk.Description, StringComparison.Ordinal);
        Assert.Contains("MB free", disk.Description, StringComparison.Ordinal);
        Assert.Equal("Healthy", Checks(body)["database"].Status);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/live")).StatusCode);

        // Anyone else learns which check failed, not the machine's folders.
        var outside = new HttpRequestMessage(HttpMethod.Get, "/healthz/ready");
        outside.Headers.Add(TestClientAddress.Header, "203.0.113.9");
        var anonymous = await client.SendAsync(outside);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, anonymous.StatusCode);
        var text = await anonymous.Content.ReadAsStringAsync();
        Assert.Equal(("Unhealthy", ""), Checks(text)["disk"]);
        Assert.DoesNotContain(app.LogDirectory, text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await client.PostAsync("/healthz/ready", null)).StatusCode);
    }

    [Fact]
    public async Task A_database_that_stops_answering_makes_it_not_ready_and_back_when_it_returns()
    {
        var gate = new DatabaseGate();
        await using var app = new AppFactory(services: s => s.AddDbInterceptors(gate));
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/ready")).StatusCode);

        gate.Closed = true;
        try
        {
            var ready = await UntilAsync(client, HttpStatusCode.ServiceUnavailable); // the database is asked once a second at most
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            var body = await ready.Content.ReadAsStringAsync();
            Assert.Equal("The database does not answer", Checks(body)["database"].Description);
            Assert.DoesNotContain("at BizKeys", body, StringComparison.Ordinal); // no stack trace for whoever probes
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/live")).StatusCode);
        }
        finally
        {
            gate.Closed = false;
        }
        Assert.Equal(HttpStatusCode.OK, (await UntilAsync(client, HttpStatusCode.OK)).StatusCode);
    }

    [Fact]
    public async Task A_flood_of_readiness_probes_asks_the_database_about_once_a_second()
    {
        var commands = new CommandGate();
        await using var app = new AppFactory(services: s => s.AddDbInterceptors(commands));
        using var client = app.CreateClient();
        await client.GetAsync("/healthz/ready");
        commands.CountOnly(sql => sql.Contains("\"Accounts\"", StringComparison.Ordinal));

        var started = DateTime.UtcNow;
        await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => client.GetAsync("/healthz/ready")));
        var seconds = (DateTime.UtcNow - started).TotalSeconds;

        Assert.InRange(commands.Count, 0, (int)Math.Ceiling(seconds) + 1);
    }

    private static async Task<HttpResponseMessage> UntilAsync(HttpClient client, HttpStatusCode wanted)
    {
        var response = await client.GetAsync("/healthz/ready");
        for (var i = 0; i < 40 && response.StatusCode != wanted; i++)
        {
            await Task.Delay(100);
            response = await client.GetAsync("/healthz/ready");
        }
        return response;
    }

    /// <summary>A database that refuses every connection while closed, as a stopped server does.</summary>
    private sealed class DatabaseGate : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
    {
        public volatile bool Closed;

        public override ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult> ConnectionOpeningAsync(
            System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEventData eventData,
            Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult result, CancellationToken ct = default) =>
            Closed ? throw new TimeoutException("The database server does not answer") : ValueTask.FromResult(result);

        public override Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult ConnectionOpening(
            System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEventData eventData,
            Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult result) =>
            Closed ? throw new TimeoutException("The database server does not answer") : result;
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    private static Dictionary<string, (string Status, string Description)> Checks(string text) =>
        Json(text).GetProperty("checks").EnumerateArray().ToDictionary(
            c => c.GetProperty("name").GetString()!,
            c => (c.GetProperty("status").GetString()!, c.GetProperty("description").GetString() ?? ""));
}
