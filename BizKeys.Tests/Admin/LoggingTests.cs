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
    public async Task Each_request_writes_one_line_except_refused_api_credentials()
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
        Assert.Single(completed, line => line.Contains("\"RequestPath\":\"/healthz\"", StringComparison.Ordinal));
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
        Assert.Contains("\"StatusCode\":404", logText);
    }
}
