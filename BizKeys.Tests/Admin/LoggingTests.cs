using BizKeys.Admin.Hosting;
using BizKeys.Core.ApiKeys;
using BizKeys.Core;
using BizKeys.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Admin;

public class LoggingTests
{
    [Fact]
    public async Task No_secret_reaches_the_logs_even_at_the_most_verbose_level()
    {
        var secrets = new List<string>();
        string key;
        string logText;
        await using (var app = new AppFactory(logLevel: "Verbose"))
        {
            using var client = app.CreateClient();
            Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/login")).StatusCode);

            var keys = app.Services.GetRequiredService<ApiKeyService>();
            var (account, owner) = await app.OwnerAsync();
            var issued = await keys.CreateAsync(new CreateKeyRequest
            {
                AccountId = account.Id, Name = "Logged bot", Environment = "Production", Permissions = ["messages:send"],
            }, owner);
            secrets.Add(issued.Secret);
            key = issued.Key.Key;
            var rotated = await keys.RotateAsync(new RotateKeyRequest { AccountId = account.Id, Key = key, GraceMinutes = 60 }, owner);
            secrets.Add(rotated.Secret);
            await app.StopAsync();
            logText = string.Concat(Directory.GetFiles(app.LogDirectory).Select(File.ReadAllText));
        }

        // Structured lines: the template and the key id as a property.
        Assert.Contains("API key {Key} created in account {AccountId} by {Actor}", logText);
        Assert.Contains($"\"Key\":\"{key}\"", logText);
        Assert.Contains("Executed DbCommand", logText); // the verbose level really was on
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, logText);
            Assert.DoesNotContain(secret[4..44], logText);
        }
    }

    [Fact]
    public async Task A_page_request_writes_one_line_and_api_calls_and_health_probes_none()
    {
        var app = new AppFactory(settings: new Dictionary<string, string?>
        {
            ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Warning",
            ["Serilog:MinimumLevel:Override:Microsoft.EntityFrameworkCore"] = "Warning",
        });
        string logText;
        try
        {
            using var client = app.CreateClient();
            await client.GetAsync("/healthz");
            await client.GetAsync("/login");
            for (var i = 0; i < 20; i++)
                await client.SendAsync(BizKeys.Tests.Api.ApiApp.Basic(HttpMethod.Get, "/api/v1/me", MadeUp.Key(), KeyFormat.NewSecret()));
            await app.StopAsync();
            logText = string.Concat(Directory.GetFiles(app.LogDirectory).Select(File.ReadAllText));
        }
        finally
        {
            await app.DisposeAsync();
        }

        var completed = logText.Split('\n').Where(line => line.Contains("responded {StatusCode}", StringComparison.Ordinal)).ToList();
        Assert.Single(completed, line => line.Contains("\"RequestPath\":\"/login\"", StringComparison.Ordinal));
        Assert.DoesNotContain(completed, line => line.Contains("/healthz", StringComparison.Ordinal)); // probes every few seconds are no news
        Assert.DoesNotContain(completed, line => line.Contains("/api/v1/me", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Racing_creates_of_one_name_log_no_error_and_flushes_say_how_long_they_held_the_lock()
    {
        var app = new AppFactory(settings: new Dictionary<string, string?> { ["Serilog:MinimumLevel:Override:BizKeys.Core.Usage"] = "Debug" });
        string logText;
        try
        {
            var (account, owner) = await app.OwnerAsync();
            var keys = app.Services.GetRequiredService<ApiKeyService>();
            var racing = Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
            {
                try
                {
                    await keys.CreateAsync(new CreateKeyRequest { AccountId = account.Id, Name = "Raced name", Environment = "Production" }, owner);
                }
                catch (FluentValidation.ValidationException)
                {
                }
            }));
            await Task.WhenAll(racing);
            var issued = (await keys.QueryAsync(new KeyQuery(account.Id) { Search = "Raced name" }, owner)).Items.Single();
            app.Services.GetRequiredService<BizKeys.Core.Usage.UsageRecorder>().Record(null, null, null);
            using var client = app.CreateClient();
            await client.SendAsync(BizKeys.Tests.Api.ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key, KeyFormat.NewSecret()));
            await app.Services.GetRequiredService<BizKeys.Core.Usage.UsageFlusher>().FlushAsync();
            await app.StopAsync();
            logText = string.Concat(Directory.GetFiles(app.LogDirectory).Select(File.ReadAllText));
        }
        finally
        {
            await app.DisposeAsync();
        }

        Assert.DoesNotContain("\"@l\":\"Error\"", logText);
        Assert.Contains("transaction open {LockMs:0.0} ms", logText);
    }

    /// <summary>
    /// A refused API call (bad field, unknown key, a conflict) is an ordinary answer: logged at its status, not as a
    /// failure with a stack trace anyone holding a key could fill the logs with, and carrying every security header.
    /// </summary>
    [Fact]
    public async Task Refused_api_calls_are_logged_with_their_status_and_keep_the_security_headers()
    {
        var app = new AppFactory();
        var (account, owner) = await app.OwnerAsync();
        var issued = await app.Services.GetRequiredService<ApiKeyService>().CreateAsync(new CreateKeyRequest
        {
            AccountId = account.Id, Name = "Refused bot", Environment = "Production", Permissions = ["keys:read", "keys:write", "usage:read"],
        }, owner);
        using var client = app.CreateClient();
        var refused = new List<HttpResponseMessage>
        {
            await client.SendAsync(Api.ApiApp.Basic(HttpMethod.Get, "/api/v1/keys?page=0", issued.Key.Key, issued.Secret)),
            await client.SendAsync(Api.ApiApp.Basic(HttpMethod.Get, $"/api/v1/keys/{MadeUp.Key()}/usage", issued.Key.Key, issued.Secret)),
            await client.SendAsync(Api.ApiApp.Basic(HttpMethod.Post, $"/api/v1/keys/{MadeUp.Key()}/revoke", issued.Key.Key, issued.Secret)),
        };
        await app.StopAsync();
        var logText = string.Concat(Directory.GetFiles(app.LogDirectory).Select(File.ReadAllText));

        Assert.Equal([400, 404, 404], refused.Select(r => (int)r.StatusCode));
        Assert.All(refused, r =>
        {
            Assert.Equal("nosniff", r.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", r.Headers.GetValues("X-Frame-Options").Single());
        });
        Assert.DoesNotContain("\"@l\":\"Error\"", logText);
        Assert.DoesNotContain("ValidationException", logText);
        Assert.DoesNotContain(logText.Split('\n'), line => line.Contains("responded {StatusCode}", StringComparison.Ordinal) && line.Contains("/api/", StringComparison.Ordinal)); // a line per API call is the opt-in access log's
    }

    [Fact]
    public async Task With_the_access_log_on_each_api_call_is_a_line_there_and_the_application_log_gets_a_summary_a_minute()
    {
        var app = new AppFactory(settings: new Dictionary<string, string?>
        {
            ["BizKeys:AccessLog:Enabled"] = "true",
            ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Warning", // as shipped
            ["Serilog:MinimumLevel:Override:Microsoft.EntityFrameworkCore"] = "Warning",
        });
        var (account, owner) = await app.OwnerAsync();
        var issued = await app.Services.GetRequiredService<ApiKeyService>().CreateAsync(new CreateKeyRequest
        {
            AccountId = account.Id, Name = "Logged bot", Environment = "Production", Permissions = ["messages:send"],
        }, owner);
        using (var client = app.CreateClient())
        {
            for (var i = 0; i < 30; i++)
                await client.SendAsync(Api.ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, issued.Secret));
            for (var i = 0; i < 3; i++)
                await client.SendAsync(Api.ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, KeyFormat.NewSecret()));
        }
        await app.Services.GetRequiredService<BizKeys.Core.Usage.UsageFlusher>().FlushAsync();
        await app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<BizKeys.Admin.Hosting.TrafficSummary>().Single().WriteAsync(default);
        await Task.Delay(200); // the test server hands back a response before its middleware has finished (Kestrel waits for it when stopping)
        await app.StopAsync();
        var files = Directory.GetFiles(app.LogDirectory);
        var access = string.Concat(files.Where(f => Path.GetFileName(f).StartsWith("access-", StringComparison.Ordinal)).Select(File.ReadAllText));
        var application = string.Concat(files.Where(f => Path.GetFileName(f).StartsWith("bizkeys-", StringComparison.Ordinal)).Select(File.ReadAllText));

        Assert.True(access.Length > 0, "access log files: " + string.Join(", ", files.Select(Path.GetFileName)));
        var lines = access.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 33, $"{lines.Length} lines:\n{string.Join("\n", lines.Take(40))}");
        Assert.All(lines, line => Assert.Contains($"\"Key\":\"{issued.Key.Key}\"", line));
        Assert.Equal(3, lines.Count(line => line.Contains("\"StatusCode\":401", StringComparison.Ordinal)));
        var summary = Assert.Single(application.Split('\n'), line => line.Contains("API traffic", StringComparison.Ordinal));
        foreach (var part in new[] { "\"Requests\":33", "\"Passed\":30", "\"Refused\":3", "\"RefusedBy\":\"WrongSecret 3\"", "\"Keys\":1", issued.Key.Key + " 30/3" })
            Assert.Contains(part, summary);
        Assert.DoesNotContain(issued.Secret, access + application);
        Assert.DoesNotContain(application.Split('\n'), line => line.Contains("responded {StatusCode}", StringComparison.Ordinal)
            && line.Contains("/api/v1/me", StringComparison.Ordinal)); // no line per API call in the application log
    }
}
